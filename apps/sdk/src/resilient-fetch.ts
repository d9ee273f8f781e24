/**
 * A `fetch` that applies the retry policy (`retry-policy.ts`) to one request: both clients send
 * every HTTP request through it, so REST and tRPC retry exactly the same way. Each attempt sends a
 * clone of the original `Request`, so a retry carries the same body and the same Idempotency-Key.
 */
import { QuickEatsNetworkError } from './errors';
import { type AttemptOutcome, decideRetry, parseRetryAfterMs, type RetryOptions } from './retry-policy';

export type FetchLike = (request: Request) => Promise<Response>;

export interface ResilientFetchOptions {
  /** The underlying fetch (default `globalThis.fetch`). */
  fetch?: FetchLike;
  retry?: RetryOptions;
  /** Give up on one attempt after this long (it then counts as a network error). Default 15,000. */
  timeoutMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Whether a 409 says "the first request with this key is still running" — REST problem `code`, or
 * tRPC `error.data.errorCode` — and the Retry-After it gave (header, or tRPC `retryAfterSeconds`).
 */
export async function readInFlight(response: Response): Promise<{ retryAfterMs: number | null } | null> {
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return null;
  }
  const rest = isRecord(body) ? body : {};
  const trpcData = isRecord(rest.error) && isRecord(rest.error.data) ? rest.error.data : {};
  const code = rest.code ?? trpcData.errorCode;
  if (code !== 'IDEMPOTENCY_IN_FLIGHT') return null;
  const header = parseRetryAfterMs(response.headers.get('retry-after'));
  const seconds = trpcData.retryAfterSeconds;
  return { retryAfterMs: header ?? (typeof seconds === 'number' ? seconds * 1000 : null) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function createResilientFetch(options: ResilientFetchOptions = {}): FetchLike {
  const baseFetch: FetchLike = options.fetch ?? ((req) => globalThis.fetch(req));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retry = options.retry ?? {};

  return async function resilientFetch(request: Request): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([request.signal, timeout]);
      let response: Response | null = null;
      let failure: unknown = null;
      try {
        response = await baseFetch(new Request(request.clone(), { signal }));
      } catch (err) {
        // The caller's own abort is final; only our timeout or the network make this retryable.
        if (request.signal.aborted) throw err;
        failure = err;
      }

      const outcome: AttemptOutcome = {
        method: request.method,
        headers: request.headers,
        attempt,
        status: response?.status ?? null,
      };
      if (response?.status === 409) outcome.inFlight = (await readInFlight(response)) ?? undefined;
      if (response && response.status >= 500)
        outcome.retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));

      const verdict = decideRetry(outcome, retry);
      if (!verdict.retry) {
        if (response) return response;
        const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : describe(failure);
        throw new QuickEatsNetworkError(
          `${request.method} ${request.url} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${why}`,
          { attempts: attempt, cause: failure },
        );
      }
      // Free the connection of the answer we are not going to read.
      await response?.body?.cancel().catch(() => {});
      retry.onRetry?.({
        method: request.method,
        url: request.url,
        attempt,
        reason: verdict.reason,
        status: response?.status,
        delayMs: verdict.delayMs,
        idempotencyKey: request.headers.get('idempotency-key'),
      });
      await sleep(verdict.delayMs, request.signal);
    }
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
