/**
 * Request-body hygiene, ahead of every reader of the body (validators, the idempotency fingerprint,
 * tRPC, GraphQL): JSON nested deeper than `MAX_JSON_DEPTH` is a 400 `VALIDATION_FAILED` before
 * anything parses it, and on REST v2 a string PostgreSQL cannot store (NUL, unpaired surrogates) is
 * a 400 naming the field before the body is fingerprinted or validated (tRPC, GraphQL and v1 check
 * their inputs where they read them). An empty body with a JSON content type means "no body", so an
 * action POST without a reason is accepted whatever its content type says.
 */
import {
  DomainError,
  exceedsJsonDepth,
  findUnstorableText,
  tooDeepError,
  unstorableTextError,
} from '@quickeats/domain';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * Whether the request carries a body, from its headers where they tell: asking the raw request for
 * its body makes the Node adapter build a full Request (an AbortController, a ReadableStream, undici's
 * checks), while reading the text directly takes its fast path. GET and HEAD carry none (the Fetch
 * API drops one). Off an HTTP/1.x socket the framing decides: neither Content-Length nor
 * Transfer-Encoding means no body (RFC 9112 §6.3), which is how curl and load generators send a
 * bodiless POST such as an action. Only a request without that framing (built in-process by
 * `app.request`, or HTTP/2, whose body is framed by the stream) is asked for its body.
 */
export function hasBody(c: Context): boolean {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return false;
  const length = c.req.header('content-length');
  if (length !== undefined) return length !== '0';
  if (c.req.header('transfer-encoding') !== undefined) return true;
  if (overHttp1(c)) return false;
  return c.req.raw.body !== null;
}

/** The request came off an HTTP/1.x socket (the Node adapter passes its IncomingMessage as `incoming`). */
function overHttp1(c: Context): boolean {
  const incoming = (c.env as { incoming?: { httpVersionMajor?: number } } | undefined)?.incoming;
  return incoming?.httpVersionMajor === 1;
}

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

/**
 * @param options.restPath the REST v2 paths: their strings are checked here, and their handlers read
 *   the body through Hono (whose cache holds it), so the raw request is not rebuilt for them.
 */
export function bodyHygiene(options: { restPath: (path: string) => boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const isJson = JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '');
    if (!hasBody(c)) {
      if (isJson) c.req.raw.headers.delete('content-type'); // "no body" to every reader
      // Known empty from its headers: readers that look for a body (zod-openapi's media-type gate
      // does when no Content-Type is sent) get null instead of making the Node adapter build a full
      // Request around an empty stream and clone it to find out.
      Object.defineProperty(c.req.raw, 'body', { value: null, configurable: true });
      return next();
    }
    const text = await c.req.text();
    const rest = options.restPath(c.req.path);
    const asNoBody = isJson && text.trim() === '';
    if (!rest || asNoBody) restoreRawBody(c, text, asNoBody);
    if (exceedsJsonDepth(text)) throw tooDeepError();
    if (isJson && text !== '' && rest) {
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

/**
 * The request body limit (413 `PAYLOAD_TOO_LARGE`): a declared Content-Length is checked as it is,
 * without touching the body; a chunked body is counted as it streams (hono/body-limit).
 */
export function bodySizeLimit(maxSize: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new DomainError('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${maxSize} bytes`);
  };
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    if (!hasBody(c)) return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    return Number(length) > maxSize ? tooLarge() : next();
  };
}
