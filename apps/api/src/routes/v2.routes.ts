/**
 * The `/api/v2` surface: every v2 router mounted on one OpenAPIHono, so the OpenAPI 3.1 document
 * at `/api/v2/openapi.json` is generated from the same route and zod definitions that serve
 * requests. `/api/v2/docs` is the interactive reference (Scalar, served from local assets).
 */
import { Scalar } from '@scalar/hono-api-reference';
import type { AppDeps } from '../context';
import { scalarStandalone } from '../http/docs-assets';
import { createOpenApiRouter } from '../http/openapi';
import { applyOpenApiConventions } from '../http/openapi-conventions';
import { authRoutes } from './auth.routes';
import { eventStreamRoutes } from './event-stream.routes';
import { orderReadRoutes } from './order-reads.routes';
import { orderRoutes } from './orders.routes';
import { restaurantRoutes } from './restaurants.routes';
import { userRoutes } from './users.routes';
import { ORDER_EVENT_WEBHOOK, webhookRoutes } from './webhooks.routes';

export const OPENAPI_INFO = {
  title: 'QuickEats Orders API',
  version: '2.0.0',
  description:
    'Explicit order actions with optimistic concurrency (ETag / If-Match), idempotent POSTs (Idempotency-Key), ' +
    'RFC 9457 problem details with stable codes, JSON:API documents.\n\n' +
    'Every path answers a method it does not serve with **405** and an `Allow` header listing the ones ' +
    'it does (RFC 9110 §15.5.6). Answers to authenticated requests are `Cache-Control: private` and ' +
    '`Vary: Authorization`: their content depends on the caller, while the ETag names the order version.',
  contact: { name: 'QuickEats API team', url: 'https://docs.quickeats.test' },
  license: { name: 'Proprietary', url: 'https://docs.quickeats.test/license' },
};

export function v2Routes(deps: AppDeps) {
  const v2 = createOpenApiRouter();
  v2.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Token from POST /api/v2/auth/token: an HS256 JWT (RFC 7519) handled per RFC8725 — the algorithm ' +
      'is fixed by the server (never read from the token), `iss` and `exp` are always verified.',
  });
  v2.route('/', authRoutes(deps));
  // Reads first: their handlers answer before the write router's `/orders/*` middleware would run.
  v2.route('/', orderReadRoutes(deps));
  v2.route('/', orderRoutes(deps));
  v2.route('/', restaurantRoutes(deps));
  v2.route('/', eventStreamRoutes(deps));
  v2.route('/', webhookRoutes(deps));
  v2.route('/', userRoutes(deps));
  // What partners receive (OpenAPI 3.1 `webhooks`): documented beside the routes that register them.
  v2.openAPIRegistry.registerWebhook(ORDER_EVENT_WEBHOOK);
  let document: ReturnType<typeof applyOpenApiConventions> | undefined;
  v2.get('/openapi.json', (c) => {
    // Built on first request, when every route is registered; conventions applied once.
    document ??= applyOpenApiConventions(
      v2.getOpenAPI31Document({
        openapi: '3.1.0',
        info: OPENAPI_INFO,
        servers: [{ url: '/api/v2', 'x-internal': false }],
      }),
    );
    return c.json(document);
  });
  // The reference page loads Scalar from this server (pinned, from node_modules) and no web fonts,
  // so it renders without internet access (docs-offline.e2e.test.ts blocks every other request).
  v2.get(
    '/docs',
    Scalar({
      url: '/api/v2/openapi.json',
      pageTitle: 'QuickEats API v2 reference',
      cdn: '/api/v2/docs/scalar.js',
      withDefaultFonts: false,
    }),
  );
  v2.get('/docs/scalar.js', async (c) =>
    c.body(await scalarStandalone(), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
    }),
  );
  return v2;
}
