/**
 * `PATCH /api/v2/users/{id}` and `POST /api/v2/users/{id}/revoke-tokens`: an admin changes a user's
 * role, disables or enables the account, or revokes the user's tokens. Each refuses the user's
 * existing tokens on every surface and process (auth/revocations.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { IdSchema, UserAccessInputSchema, UserAccountSchema } from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem, tooManyRequests } from '../http/responses';
import { limitWrites } from '../rate-limit/middleware';
import { changeUserAccess, revokeUserTokens } from '../services/auth.service';

const security = [{ bearerAuth: [] }];
const params = z.object({ id: IdSchema });

const changeRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Change a user’s role, or disable / enable the account (admin)',
  description:
    'Any change revokes the user’s tokens: from this answer on they are refused by every API process ' +
    '(within milliseconds; at the latest after AUTH_REVOCATION_POLL_MS), and open event streams end. ' +
    'The user signs in again for a token of the new role; a disabled account cannot sign in.',
  security,
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: UserAccessInputSchema } } },
  },
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: UserAccountSchema } } },
    400: problem('Malformed id or body'),
    401: problem('Not authenticated'),
    403: problem('The caller is not an admin'),
    404: problem('No such user'),
    429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/users/{id}/revoke-tokens',
  tags: ['users'],
  summary: 'Revoke every token of a user (admin)',
  security,
  request: { params },
  responses: {
    204: { description: 'Revoked' },
    400: problem('Malformed id'),
    401: problem('Not authenticated'),
    403: problem('The caller is not an admin'),
    404: problem('No such user'),
    429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
  },
});

export function userRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  app.use('/users/*', requireActor(deps), limitWrites(deps.rateLimits));
  return app
    .openapi(changeRoute, async (c) =>
      c.json(
        await changeUserAccess(c.get('deps'), c.var.actor, c.req.valid('param').id, c.req.valid('json')),
        200,
      ),
    )
    .openapi(revokeRoute, async (c) => {
      await revokeUserTokens(c.get('deps'), c.var.actor, c.req.valid('param').id);
      return c.body(null, 204);
    });
}
