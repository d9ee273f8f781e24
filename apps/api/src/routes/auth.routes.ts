/** `POST /api/v2/auth/token`: email + password → bearer token; `GET /api/v2/me`: who the token names. */
import { createRoute } from '@hono/zod-openapi';
import { LoginInputSchema, MeSchema, TokenResponseSchema } from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem, tooManyRequests } from '../http/responses';
import { clientAddress } from '../rate-limit';
import { currentUser, issueToken } from '../services/auth.service';

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

export function authRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  app.use('/me', requireActor(deps.config.auth.tokenSecret));
  return app
    .openapi(tokenRoute, async (c) => {
      const input = c.req.valid('json');
      // Counted before the password is checked, so a flood of guesses is refused without hashing.
      const limits = await deps.rateLimits.login(input.email, clientAddress(c, deps.config.trustProxy));
      for (const [name, value] of Object.entries(limits)) c.header(name, value);
      const token = await issueToken({ db: deps.db, auth: deps.config.auth, now: deps.now }, input);
      await deps.rateLimits.loginSucceeded(input.email);
      // A bearer token must never be kept by a cache (RFC 6749 §5.1).
      c.header('Cache-Control', 'no-store');
      c.header('Pragma', 'no-cache');
      return c.json(token, 200);
    })
    .openapi(meRoute, async (c) => c.json(await currentUser(deps.db, c.var.actor), 200));
}
