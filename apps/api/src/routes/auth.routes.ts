/**
 * `POST /api/v2/auth/token`: email + password → bearer token; `GET /api/v2/me`: who the token names;
 * `POST /api/v2/auth/revoke`: every token of the caller refused from now on (sign out everywhere).
 */
import { createRoute } from '@hono/zod-openapi';
import { LoginInputSchema, MeSchema, TokenResponseSchema } from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem, tooManyRequests } from '../http/responses';
import { clientAddress } from '../rate-limit';
import { limitWrites } from '../rate-limit/middleware';
import { currentUser, issueToken, revokeTokens } from '../services/auth.service';

const tokenRoute = createRoute({
  method: 'post',
  path: '/auth/token',
  tags: ['auth'],
  summary: 'Exchange email and password for a bearer access token',
  request: { body: { required: true, content: { 'application/json': { schema: LoginInputSchema } } } },
  responses: {
    200: { description: 'Token issued', content: { 'application/json': { schema: TokenResponseSchema } } },
    400: problem('Invalid request body'),
    401: problem('Invalid email or password'),
    429: tooManyRequests(
      'Too many attempts for this account or from this address; the same answer whether the account exists or not',
    ),
  },
});

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The authenticated user',
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: 'The caller', content: { 'application/json': { schema: MeSchema } } },
    401: problem('Missing, invalid or expired token'),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/auth/revoke',
  tags: ['auth'],
  summary: 'Sign out everywhere: revoke every token of the caller',
  description:
    'Every access token of the caller issued until now is refused from this answer on, by every API ' +
    'process (within milliseconds; at the latest after AUTH_REVOCATION_POLL_MS). Sign in again for a new one. ' +
    'A role change or a disabled account (PATCH /users/{id}) revokes the same way.',
  security: [{ bearerAuth: [] }],
  responses: {
    204: { description: 'Revoked' },
    401: problem('Missing, invalid, expired or already revoked token'),
    429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
  },
});

export function authRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  app.use('/me', requireActor(deps));
  app.use('/auth/revoke', requireActor(deps), limitWrites(deps.rateLimits));
  return app
    .openapi(tokenRoute, async (c) => {
      const input = c.req.valid('json');
      // Counted before the password is checked, so a flood of guesses is refused without hashing.
      const limits = await deps.rateLimits.login(input.email, clientAddress(c, deps.config.trustProxy));
      for (const [name, value] of Object.entries(limits)) c.header(name, value);
      const token = await issueToken({ db: c.get('deps').db, auth: deps.config.auth, now: deps.now }, input);
      await deps.rateLimits.loginSucceeded(input.email);
      // A bearer token must never be kept by a cache (RFC 6749 §5.1).
      c.header('Cache-Control', 'no-store');
      c.header('Pragma', 'no-cache');
      return c.json(token, 200);
    })
    .openapi(meRoute, async (c) => c.json(await currentUser(c.get('deps').db, c.var.actor), 200))
    .openapi(revokeRoute, async (c) => {
      await revokeTokens(c.get('deps'), c.var.actor.userId);
      return c.body(null, 204);
    });
}
