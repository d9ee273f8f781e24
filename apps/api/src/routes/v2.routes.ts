/**
 * The `/api/v2` surface: every v2 router mounted on one OpenAPIHono, so the OpenAPI 3.1 document
 * at `/api/v2/openapi.json` is generated from the same route and zod definitions that serve
 * requests. `/api/v2/docs` is the interactive reference (Scalar).
 */
import { Scalar } from '@scalar/hono-api-reference';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { authRoutes } from './auth.routes';
import { eventStreamRoutes } from './event-stream.routes';
import { orderReadRoutes } from './order-reads.routes';
import { orderRoutes } from './orders.routes';
import { restaurantRoutes } from './restaurants.routes';

export const OPENAPI_INFO = {
  title: 'QuickEats Orders API',
  version: '2.0.0',
  description:
    'Explicit order actions with optimistic concurrency (ETag / If-Match), idempotent POSTs (Idempotency-Key), ' +
    'RFC 9457 problem details with stable codes, JSON:API documents.',
};

export function v2Routes(deps: AppDeps) {
  const v2 = createOpenApiRouter();
  v2.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Token from POST /api/v2/auth/token',
  });
  v2.route('/', authRoutes(deps));
  // Reads first: their handlers answer before the write router's `/orders/*` middleware would run.
  v2.route('/', orderReadRoutes(deps));
  v2.route('/', orderRoutes(deps));
  v2.route('/', restaurantRoutes(deps));
  v2.route('/', eventStreamRoutes(deps));
  v2.doc31('/openapi.json', { openapi: '3.1.0', info: OPENAPI_INFO, servers: [{ url: '/api/v2' }] });
  v2.get('/docs', Scalar({ url: '/api/v2/openapi.json', pageTitle: 'QuickEats API v2 reference' }));
  return v2;
}
