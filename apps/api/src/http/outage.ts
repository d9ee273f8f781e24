/**
 * The one outage contract (SPEC "When dependencies fail"): an error that means "a dependency is
 * unreachable right now" — PostgreSQL down, restarting, frozen past a timeout, or the Upstash/Redis
 * idempotency store unreachable — becomes `503 SERVICE_UNAVAILABLE` with `Retry-After` on every
 * surface (REST v2, v1, tRPC, GraphQL), instead of a 500 that tells the client nothing. Each surface
 * asks `dependencyUnavailable(err)` and renders the DomainError it returns in its own shape.
 */
import { DomainError, OUTAGE_RETRY_AFTER_SECONDS } from '@quickeats/domain';

export { OUTAGE_RETRY_AFTER_SECONDS };

/** Socket-level failures (postgres.js connections, fetch to Upstash) by Node/undici error code. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // postgres.js's own connection errors
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATEs of a server that is going away or not there yet: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up), 57014 query
 * cancelled (our statement_timeout), 53300 too many connections.
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '57014', '53300'].includes(code);
}

/** True when `err` (or an error in its `cause` chain) says a dependency could not be reached. */
export function isDependencyFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    if (e instanceof DependencyUnavailableError) return true;
    const { code, errno, message, name } = e as {
      code?: unknown;
      errno?: unknown;
      message?: unknown;
      name?: unknown;
    };
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code)))
    )
      return true;
    if (typeof errno === 'string' && NETWORK_CODES.has(errno)) return true;
    // undici's fetch: TypeError('fetch failed') whose cause carries the socket error.
    if (name === 'TypeError' && message === 'fetch failed') return true;
    // AbortSignal.timeout on a dependency call.
    if (name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Thrown where code knows a dependency is gone (e.g. an Upstash call past its deadline). */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: 'database' | 'idempotency-store' | 'payment-provider',
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable`, options);
    this.name = 'DependencyUnavailableError';
  }
}

export function serviceUnavailable(
  detail = 'A service this request needs is unavailable; retry shortly',
): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', detail, { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS });
}

/** The 503 DomainError for a dependency failure, or null when `err` is something else. */
export function dependencyUnavailable(err: unknown): DomainError | null {
  if (err instanceof DomainError) return null;
  return isDependencyFailure(err) ? serviceUnavailable() : null;
}

/**
 * The process's `unhandledRejection` handler. A dependency failure nobody awaited (a library's
 * background connection attempt while PostgreSQL restarts: seen once, `connect ECONNREFUSED`,
 * under two CPU hogs in the PostgreSQL fault test) is logged and the process goes on: the
 * requests that need the dependency get their own 503s, and the worker that such a rejection
 * ended would have taken its in-flight requests with it. Any other rejection is a bug and ends the
 * process as Node's default would (the supervisor starts a replacement).
 */
export function survivingDependencyFailures(log: (err: unknown) => void): (reason: unknown) => void {
  return (reason) => {
    if (!isDependencyFailure(reason)) throw reason;
    log(reason);
  };
}
