/**
 * When a request may be sent again, and after how long. Pure: no I/O, no clock, no randomness of
 * its own (the caller passes `random`), so every rule is unit-tested.
 *
 * A request is *safe to retry* when repeating it cannot do the work twice: a GET (or HEAD), or a
 * POST carrying an `Idempotency-Key` (the API replays the first answer for the same key). Only safe
 * requests are retried, and only on failures that say nothing about the request itself:
 * - no answer at all (connection refused or dropped, timeout);
 * - 5xx (the API stores no idempotency record for a 5xx, so the retry runs again);
 * - 409 `IDEMPOTENCY_IN_FLIGHT` (the first attempt with this key is still running): wait the
 *   `Retry-After` the API sent, then ask again to get its answer.
 * Every other 4xx is an answer about the request and is never retried.
 */

export interface RetryOptions {
  /** Sends per request, the first included (default 4: up to 3 retries). 1 disables retries. */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits up to `baseDelayMs · 2^(n-1)` (default 250). */
  baseDelayMs?: number;
  /** Backoff cap (default 5,000). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the 409 is returned instead (default 30,000). */
  maxRetryAfterMs?: number;
  /** Called before each retry (logging, progress). */
  onRetry?: (event: RetryEvent) => void;
  /** Source of jitter in [0, 1) (tests make it deterministic). */
  random?: () => number;
}

export type RetryReason = 'network-error' | 'server-error' | 'in-flight';

export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that just failed (1-based). */
  attempt: number;
  reason: RetryReason;
  /** HTTP status of the failed attempt, when there was an answer. */
  status?: number;
  delayMs: number;
  idempotencyKey: string | null;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'onRetry'>> = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
};

/** GET/HEAD, or POST with an Idempotency-Key. */
export function isSafeToRetry(method: string, headers: Headers): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return true;
  return m === 'POST' && Boolean(headers.get('idempotency-key'));
}

/**
 * Exponential backoff with "equal jitter": half of the exponential step is fixed, half random, so
 * retries of many clients spread out but none retries immediately.
 */
export function backoffDelayMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const random = options.random ?? DEFAULT_RETRY.random;
  const step = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, in ms from `now`; null if absent or bad. */
export function parseRetryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export type RetryVerdict = { retry: false } | { retry: true; reason: RetryReason; delayMs: number };

export interface AttemptOutcome {
  method: string;
  headers: Headers;
  /** 1-based number of the attempt that just ended. */
  attempt: number;
  /** null: no answer (network error or timeout). */
  status: number | null;
  /** For a 409: whether the API said the key is in flight, and the Retry-After it gave (ms). */
  inFlight?: { retryAfterMs: number | null };
  /** `Retry-After` of a 5xx (503 may carry one). */
  retryAfterMs?: number | null;
}

/** Decide whether the attempt that just ended is retried, and after how long. */
export function decideRetry(outcome: AttemptOutcome, options: RetryOptions = {}): RetryVerdict {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  if (outcome.attempt >= maxAttempts) return { retry: false };
  if (!isSafeToRetry(outcome.method, outcome.headers)) return { retry: false };
  const backoff = backoffDelayMs(outcome.attempt, options);

  if (outcome.status === null) return { retry: true, reason: 'network-error', delayMs: backoff };
  if (outcome.status >= 500) {
    const after = outcome.retryAfterMs ?? null;
    return { retry: true, reason: 'server-error', delayMs: Math.max(backoff, after ?? 0) };
  }
  if (outcome.status === 409 && outcome.inFlight) {
    const after = outcome.inFlight.retryAfterMs;
    if (after === null) return { retry: true, reason: 'in-flight', delayMs: backoff };
    if (after > (options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs)) return { retry: false };
    // Honour Retry-After: never earlier; a little jitter on top so waiting clients do not return in step.
    const random = options.random ?? DEFAULT_RETRY.random;
    return { retry: true, reason: 'in-flight', delayMs: after + Math.round(random() * 100) };
  }
  return { retry: false };
}
