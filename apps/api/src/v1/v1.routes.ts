/**
 * `/api/v1`: the legacy order API that deployed mobile apps still call until its sunset. Routes are
 * thin (parse, call the legacy service, respond); the legacy behaviour lives in
 * `legacy-orders.service.ts`. The router renders its own errors as `{ "error": "…" }` and wraps
 * every response — 401s and 404s included — in the deprecation headers, so it is mounted ahead of
 * the app-wide body limit and carries its own.
 *
 * | v1 | v2 successor |
 * | --- | --- |
 * | `GET /orders` | `GET /api/v2/orders` |
 * | `POST /orders` | `POST /api/v2/orders` |
 * | `GET /orders/:id` | `GET /api/v2/orders/:id` |
 * | `PUT /orders/:id` `{status}` | `POST /api/v2/orders/:id/<action>` |
 * | `POST /orders/:id/payment` | `POST /api/v2/orders/:id/pay` |
 */
import { DomainError, type OrderAction } from '@quickeats/domain';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireActor } from '../auth/require-actor';
import type { AppDeps, AppEnv } from '../context';
import { limitWrites } from '../rate-limit/middleware';
import { deprecationHeaders } from './deprecation';
import { v1ErrorResponse } from './errors';
import {
  createOrder,
  getOrder,
  type LegacyOrdersDeps,
  listOrders,
  payOrder,
  updateOrder,
} from './legacy-orders.service';
import {
  orderIdParam,
  readV1Body,
  readV1Query,
  V1CreateOrderSchema,
  V1ListQuerySchema,
  V1UpdateOrderSchema,
} from './schemas';
import { actionReaching, v2SuccessorPath } from './successor';

/** The migration guide linked with `rel="deprecation"` (source: `src/v1/MIGRATION.md`). */
export const V1_MIGRATION_GUIDE_URL = 'https://docs.quickeats.test/guides/migrating-from-v1';

export interface V1Env {
  Variables: AppEnv['Variables'] & {
    /** Set by `PUT` once the body names a status, so the successor link names the v2 action. */
    v1Action?: OrderAction;
  };
}

export function v1Routes(deps: AppDeps) {
  /** The legacy service's dependencies for one request (its statements counted in the request's tally). */
  const service = (c: Context<AppEnv>): LegacyOrdersDeps => ({
    db: c.get('deps').db,
    paymentProvider: deps.paymentProvider,
    now: deps.now,
    writeDelayMs: deps.config.v1.legacyWriteDelayMs,
  });
  // RFC 8288 §3.1 allows a relative reference (resolved against the request URI); with a configured
  // public base URL the successor is absolute.
  const base = deps.config.publicBaseUrl?.replace(/\/+$/, '') ?? '';
  const authenticate = requireActor(deps);

  const v1 = new Hono<V1Env>();
  v1.use(
    deprecationHeaders<V1Env>({
      deprecation: deps.config.v1.deprecation,
      sunset: deps.config.v1.sunset,
      migrationGuideUrl: V1_MIGRATION_GUIDE_URL,
      successorFor: (c) => base + v2SuccessorPath(c.req.method, c.req.path, c.get('v1Action')),
    }),
  );
  v1.use(
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: () => {
        throw new DomainError(
          'PAYLOAD_TOO_LARGE',
          `Request bodies are limited to ${deps.config.bodyLimitBytes} bytes`,
        );
      },
    }),
  );
  v1.use('/orders', authenticate);
  v1.use('/orders/*', authenticate);
  // `/orders/*` covers `/orders` too: one count per write.
  v1.use('/orders/*', limitWrites(deps.rateLimits));

  v1.get('/orders', async (c) => {
    const orders = await listOrders(service(c), c.var.actor, readV1Query(c, V1ListQuerySchema));
    return c.json({ orders, count: orders.length });
  });
  v1.post('/orders', async (c) => {
    const order = await createOrder(service(c), c.var.actor, await readV1Body(c, V1CreateOrderSchema));
    return c.json(order, 201, { Location: `/api/v1/orders/${order.id}` });
  });
  v1.get('/orders/:id', async (c) => c.json(await getOrder(service(c), c.var.actor, orderIdParam(c))));
  v1.put('/orders/:id', async (c) => {
    const id = orderIdParam(c);
    const body = await readV1Body(c, V1UpdateOrderSchema);
    if (body.status) c.set('v1Action', actionReaching(body.status));
    return c.json(await updateOrder(service(c), c.var.actor, id, body));
  });
  v1.post('/orders/:id/payment', async (c) =>
    c.json(await payOrder(service(c), c.var.actor, orderIdParam(c))),
  );
  v1.all('*', (c) => {
    throw new DomainError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`);
  });

  v1.onError((err, c) => v1ErrorResponse(err, c, deps.logger));
  return v1;
}
