/**
 * Rate limits (issue 12): sliding windows, counted in Redis with `@upstash/ratelimit` when
 * UPSTASH_REDIS_REST_* is set — so the limit holds across API processes — and in process memory
 * otherwise (the embedded-PGlite default runs one process). Both count the same way: the hits of
 * the current window plus the previous window's, weighted by how much of it still overlaps.
 *
 * A refusal is a 429 `RATE_LIMITED` problem with `Retry-After` and the IETF fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "writes";q=300;w=60` and
 * `RateLimit: "writes";r=0;t=12`. Every refusal is announced to `onRefusal` listeners (metrics).
 */
import { DomainError } from '@quickeats/domain';
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';

export type PolicyName = 'login-account' | 'login-address' | 'writes';

export interface Policy {
  name: PolicyName;
  /** Hits allowed per window; 0 turns the policy off. */
  limit: number;
  windowSeconds: number;
}

export interface Decision {
  policy: Policy;
  allowed: boolean;
  remaining: number;
  /** Epoch milliseconds when the window has slid far enough for the next hit to pass. */
  resetAt: number;
}

/** Where hits are counted: one instance per policy. */
export interface WindowCounter {
  /** Count a hit for `key` and decide it. */
  hit(key: string): Promise<Decision>;
  /** Forget `key`'s hits (a correct password clears the account's failed attempts). */
  reset(key: string): Promise<void>;
}

/** In-process sliding window: the fallback without Redis (and per process, by definition). */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { start: number; current: number; previous: number }>();

  constructor(
    private readonly policy: Policy,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<Decision> {
    const windowMs = this.policy.windowSeconds * 1000;
    const now = this.now();
    const start = now - (now % windowMs);
    let w = this.windows.get(key);
    if (!w || w.start < start - windowMs) w = { start, current: 0, previous: 0 };
    else if (w.start < start) w = { start, current: 0, previous: w.current };
    const overlap = 1 - (now - start) / windowMs;
    const used = Math.floor(w.previous * overlap) + w.current;
    const allowed = used < this.policy.limit;
    if (allowed) w.current++;
    this.windows.set(key, w);
    this.sweep(now, windowMs);
    return {
      policy: this.policy,
      allowed,
      remaining: Math.max(0, this.policy.limit - used - (allowed ? 1 : 0)),
      resetAt: start + windowMs,
    };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Drop windows that can no longer count (bounded memory under a spray of keys). */
  private sweep(now: number, windowMs: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, w] of this.windows) if (w.start < now - 2 * windowMs) this.windows.delete(key);
  }
}

/** The same sliding window in Redis, through @upstash/ratelimit. */
export class UpstashWindowCounter implements WindowCounter {
  private readonly ratelimit: Ratelimit;

  constructor(
    redis: Redis,
    private readonly policy: Policy,
    keyPrefix: string,
  ) {
    this.ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
      prefix: `${keyPrefix}${policy.name}`,
      // Every decision asks Redis: a process-local "blocked" cache would let processes disagree.
      ephemeralCache: false,
      analytics: false,
    });
  }

  async hit(key: string): Promise<Decision> {
    const r = await this.ratelimit.limit(key);
    return { policy: this.policy, allowed: r.success, remaining: r.remaining, resetAt: r.reset };
  }

  async reset(key: string): Promise<void> {
    await this.ratelimit.resetUsedTokens(key);
  }
}

export interface RateLimitRefusal {
  policy: PolicyName;
  retryAfterSeconds: number;
}

/** The response fields of a decision (draft-ietf-httpapi-ratelimit-headers; Retry-After on refusals). */
export function rateLimitHeaders(decision: Decision, now = Date.now()): Record<string, string> {
  const { name, limit, windowSeconds } = decision.policy;
  const seconds = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  return {
    'RateLimit-Policy': `"${name}";q=${limit};w=${windowSeconds}`,
    RateLimit: `"${name}";r=${decision.remaining};t=${seconds}`,
    ...(decision.allowed ? {} : { 'Retry-After': String(Math.max(1, seconds)) }),
  };
}

/** The 429 of a refused decision; its response headers travel in `extras.headers`. */
export function rateLimitedError(decision: Decision, now = Date.now()): DomainError {
  const headers = rateLimitHeaders(decision, now);
  const retryAfterSeconds = Number(headers['Retry-After']);
  const what = decision.policy.name === 'writes' ? 'writes' : 'sign-in attempts';
  return new DomainError('RATE_LIMITED', `Too many ${what}; retry after ${retryAfterSeconds} s`, {
    retryAfterSeconds,
    headers,
  });
}
