/** Hono middleware counting a write per authenticated user (after authentication, before the body is read). */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import type { RateLimits } from '.';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function limitWrites(rateLimits: RateLimits) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const headers = await rateLimits.write(c.var.actor.userId);
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}
