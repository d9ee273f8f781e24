/**
 * Middleware for JSON:API routes: 415 for request bodies that are not JSON (or carry forbidden
 * media-type parameters), 406 when the client accepts no representation we send, and on the way
 * out the JSON:API media type with the cursor-pagination profile plus `Vary: Accept`.
 */
import { DomainError } from '@quickeats/domain';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { acceptsJsonApi, isAcceptedRequestBodyType, JSONAPI_CONTENT_TYPE } from './media-type';

export const jsonApiNegotiation = createMiddleware<AppEnv>(async (c, next) => {
  if (!acceptsJsonApi(c.req.header('accept'))) {
    throw new DomainError(
      'NOT_ACCEPTABLE',
      'This resource is served as application/vnd.api+json (parameters ext/profile only) or application/json',
    );
  }
  const hasBody = c.req.header('content-length')
    ? c.req.header('content-length') !== '0'
    : c.req.header('transfer-encoding') !== undefined;
  const contentType = c.req.header('content-type');
  if (hasBody || contentType) {
    const verdict = isAcceptedRequestBodyType(contentType ?? '');
    if (!verdict.ok) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', verdict.reason);
  }
  await next();
  if (c.res.headers.get('content-type')?.startsWith('application/json')) {
    c.res.headers.set('Content-Type', JSONAPI_CONTENT_TYPE);
  }
  c.res.headers.append('Vary', 'Accept');
});
