/**
 * Authentication middleware: `Authorization: Bearer <token>` → `c.var.actor`. Missing, malformed,
 * forged, expired or revoked tokens (revocations.ts) are all a 401 problem (with `WWW-Authenticate`), never a 500.
 * Every authenticated answer is marked private (see below).
 */
import { DomainError } from '@quickeats/domain';
import { createMiddleware } from 'hono/factory';
import type { AppDeps, AppEnv } from '../context';
import { authenticateToken } from './authenticate';

export function requireActor(deps: Pick<AppDeps, 'config' | 'revocations'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header)
      throw new DomainError(
        'UNAUTHENTICATED',
        'Missing Authorization header; send "Authorization: Bearer <token>"',
      );
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
    if (!match?.[1])
      throw new DomainError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
    const auth = await authenticateToken(deps, match[1]);
    if (!auth.ok) throw new DomainError('UNAUTHENTICATED', auth.message);
    c.set('actor', auth.actor);
    c.set('tokenVersion', auth.tokenVersion);
    await next();
    // What an authenticated caller receives depends on who asks (visibility, `allowedActions` by
    // role) while the ETag names only the order version, which If-Match needs unchanged across
    // roles. So a shared cache must never store it or answer someone else's If-None-Match with a
    // 304 (RFC 9111 §5.2.2.7), and a private cache keys it by the credentials.
    c.res.headers.set('Cache-Control', 'private, no-cache');
    c.res.headers.append('Vary', 'Authorization');
  });
}
