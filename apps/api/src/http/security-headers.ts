/**
 * Response headers every answer carries (issue 12): hono/secure-headers' defaults (nosniff,
 * frame-ancestors 'none', no referrer, …), HSTS only when the request came over https — directly or
 * behind a proxy that says so with `X-Forwarded-Proto` (over plain http browsers ignore it, and a
 * local `pnpm start` must stay reachable) — and caching rules: an answer to an authenticated request
 * is `private` (a shared cache must never hand one user's orders to another) unless its route set
 * its own (the token answer is `no-store`).
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const HSTS = 'max-age=31536000; includeSubDomains';

export function securityHeaders(): MiddlewareHandler[] {
  return [
    secureHeaders({
      strictTransportSecurity: false,
      // An API answers JSON; no page of ours is meant to be framed (GraphiQL and the docs included).
      contentSecurityPolicy: { frameAncestors: ["'none'"] },
      crossOriginEmbedderPolicy: false,
    }),
    async (c, next) => {
      await next();
      const https =
        new URL(c.req.url).protocol === 'https:' ||
        c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
      if (https) c.res.headers.set('Strict-Transport-Security', HSTS);
      if (c.req.header('authorization') && !c.res.headers.has('Cache-Control'))
        c.res.headers.set('Cache-Control', 'private, no-cache');
    },
  ];
}
