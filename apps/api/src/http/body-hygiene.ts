/**
 * Request-body hygiene, ahead of every reader of the body (validators, the idempotency fingerprint,
 * tRPC, GraphQL): JSON nested deeper than `MAX_JSON_DEPTH` is a 400 `VALIDATION_FAILED` before
 * anything parses it, and on REST v2 a string PostgreSQL cannot store (NUL, unpaired surrogates) is
 * a 400 naming the field before the body is fingerprinted or validated (tRPC, GraphQL and v1 check
 * their inputs where they read them). An empty body with a JSON content type means "no body", so an
 * action POST without a reason is accepted whatever its content type says.
 */
import { exceedsJsonDepth, findUnstorableText, tooDeepError, unstorableTextError } from '@quickeats/domain';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Replaces the raw request (whose body this middleware consumed) with one carrying the same text,
 * for readers of `c.req.raw` (tRPC, yoga). Hono's own readers use its body cache.
 */
function restoreRawBody(c: Context, text: string, asNoBody: boolean): void {
  const headers = new Headers(c.req.raw.headers);
  if (asNoBody) headers.delete('content-type');
  headers.delete('content-length');
  c.req.raw = new Request(c.req.raw.url, {
    method: c.req.method,
    headers,
    body: asNoBody || text === '' ? null : text,
    signal: c.req.raw.signal,
  });
}

export function bodyHygiene(options: { checkText: (path: string) => boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // GET and HEAD carry no body (the Fetch API drops one). Asking the raw request for its body
    // would make the Node adapter build a full Request (and an AbortController) for every read.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (c.req.raw.body === null) return next();
    const text = await c.req.text();
    const isJson = JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '');
    restoreRawBody(c, text, isJson && text.trim() === '');
    if (exceedsJsonDepth(text)) throw tooDeepError();
    if (isJson && text !== '' && options.checkText(c.req.path)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return next(); // the route's own parser answers MALFORMED_JSON
      }
      const field = findUnstorableText(parsed);
      if (field !== null) throw unstorableTextError(field);
    }
    return next();
  };
}
