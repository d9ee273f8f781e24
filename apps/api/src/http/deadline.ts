/**
 * The per-request deadline (REQUEST_TIMEOUT_MS, SPEC "No request outlives the per-request
 * deadline"): a request still running when it passes is answered `503 SERVICE_UNAVAILABLE` with
 * `Retry-After`, in the shape of the surface it came to. A frozen database or a dependency that
 * accepts connections and never answers thus costs the client the deadline, never a hang.
 *
 * The handler is not killed (JavaScript cannot abort it); it finishes in the background. A write
 * that commits after its client got the 503 is safe: the 503 means "outcome unknown, retry with
 * the same Idempotency-Key", and that retry replays the stored outcome instead of running twice.
 */
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { serviceUnavailable } from './outage';
import { problemResponse } from './problem';

const DETAIL =
  'The request did not complete within its deadline; retry (with the same Idempotency-Key for writes)';

/** The 503 in the shape each surface's clients parse. */
function timeoutResponse(c: Context<AppEnv>): Response {
  const error = serviceUnavailable(DETAIL);
  const retryAfter = String(error.extras.retryAfterSeconds);
  const path = c.req.path;
  const json = (body: unknown, contentType = 'application/json') =>
    new Response(JSON.stringify(body), {
      status: 503,
      headers: { 'Content-Type': contentType, 'Retry-After': retryAfter, 'X-Request-Id': c.var.requestId },
    });
  if (path.startsWith('/api/v1/')) return json({ error: DETAIL });
  if (path === '/graphql') {
    return json({ errors: [{ message: DETAIL, extensions: { code: error.code, status: 503 } }] });
  }
  if (path.startsWith('/trpc/')) {
    // tRPC's error envelope (one per call of a batch), as its clients decode it.
    const procedures = path.slice('/trpc/'.length).split(',');
    const envelope = (procedure: string) => ({
      error: {
        message: DETAIL,
        code: TRPC_ERROR_CODES_BY_KEY.SERVICE_UNAVAILABLE,
        data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, path: procedure, errorCode: error.code },
      },
    });
    const batch = c.req.query('batch') === '1';
    return json(batch ? procedures.map(envelope) : envelope(procedures[0] ?? ''));
  }
  const response = problemResponse(c, error);
  response.headers.set('X-Request-Id', c.var.requestId);
  return response;
}

export function requestDeadline(timeoutMs: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Health endpoints bound themselves (/healthz touches nothing, /readyz bounds each check).
    if (c.req.path === '/healthz' || c.req.path === '/readyz') return next();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const handled = next().then(() => 'handled' as const);
    try {
      const outcome = await Promise.race([handled, expired]);
      if (outcome === 'expired') {
        // The handler may still fail later; its error has nowhere to go but the log.
        handled.catch((err: unknown) => c.var.log.warn({ err }, 'request failed after its deadline'));
        c.var.log.warn({ timeoutMs, path: c.req.path }, 'request deadline passed: 503');
        c.res = timeoutResponse(c);
      }
    } finally {
      clearTimeout(timer);
    }
  };
}
