/**
 * v2 order write routes: create and one explicit action route per row of the lifecycle
 * table (`POST /orders/{id}/<action>`), generated from `ORDER_ACTIONS`. Handlers only translate
 * HTTP ⇄ service call: conditional headers → expected version, result → JSON:API document + ETag.
 * Reads (`GET /orders`, `GET /orders/{id}`) live in order-reads.routes.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  CreateOrderInputSchema,
  DomainError,
  IdSchema,
  type IfMatch,
  LIFECYCLE,
  ORDER_ACTIONS,
  type Order,
  type OrderAction,
  OrderActionBodySchema,
  parseIfMatch,
  rolesAllowed,
  versionToETag,
} from '@quickeats/domain';
import type { Context } from 'hono';
import { requireActor } from '../auth/require-actor';
import type { AppDeps, AppEnv } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem } from '../http/responses';
import { jsonApiNegotiation } from '../jsonapi/negotiation';
import { orderDocument, orderSelf } from '../jsonapi/order-resource';
import { OrderDocumentSchema } from '../jsonapi/schemas';
import { createOrder, performAction } from '../services/orders.service';

const OrderIdParams = z.object({ id: IdSchema });
const JSON_BODY = ['application/json', 'application/vnd.api+json'] as const;
const jsonBody = <T extends z.ZodType>(schema: T, required: boolean) => ({
  required,
  content: Object.fromEntries(JSON_BODY.map((t) => [t, { schema }])) as Record<
    (typeof JSON_BODY)[number],
    { schema: T }
  >,
});
const orderOk = (description: string) => ({
  description,
  headers: z.object({
    ETag: z.string().openapi({ description: 'Strong validator of the order version, e.g. "v3"' }),
  }),
  content: { 'application/vnd.api+json': { schema: OrderDocumentSchema } },
});
const security = [{ bearerAuth: [] }];

const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({
    description: 'Required: the ETag of the order version the action is based on',
    example: '"v3"',
  }),
});

const createOrderRoute = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['orders'],
  summary: 'Place an order (customers)',
  security,
  request: { body: jsonBody(CreateOrderInputSchema, true) },
  responses: {
    201: orderOk('Order created (status pending, version 1)'),
    400: problem('Invalid body'),
    401: problem('Not authenticated'),
    403: problem('Only customers place orders'),
    415: problem('Body is not JSON'),
    422: problem('Items not orderable from this restaurant'),
  },
});

function actionSummary(action: OrderAction): string {
  const rules = LIFECYCLE.filter((r) => r.action === action);
  const parts = rules.map(
    (r) =>
      `${r.party} from ${r.from.join('/')} → ${r.to}${r.effects.length ? ` (${r.effects.join(', ')})` : ''}`,
  );
  return `Roles: ${rolesAllowed(action).join(', ')}. ${parts.join('; ')}.`;
}

const actionRoute = (action: OrderAction) =>
  createRoute({
    method: 'post',
    path: `/orders/{id}/${action}`,
    tags: ['order actions'],
    summary: `${action} an order`,
    description: actionSummary(action),
    security,
    request: { params: OrderIdParams, headers: IfMatchHeader, body: jsonBody(OrderActionBodySchema, false) },
    responses: {
      200: orderOk(`Order after ${action}`),
      400: problem('Malformed id, header or body'),
      401: problem('Not authenticated'),
      403: problem('This role may never perform this action'),
      404: problem('No such order visible to the caller'),
      409: problem('Not allowed in the current state (see allowedActions)'),
      412: problem('If-Match does not name the current version (see currentVersion)'),
      415: problem('Body is not JSON'),
      428: problem('If-Match is required'),
    },
  });

/** Parse `If-Match`. Missing → 428; malformed → 400. */
export function ifMatchFrom(header: string | undefined): Exclude<IfMatch, { kind: 'invalid' }> {
  if (header === undefined) {
    throw new DomainError(
      'PRECONDITION_REQUIRED',
      'Send If-Match with the ETag of the order version you are acting on',
    );
  }
  const parsed = parseIfMatch(header);
  if (parsed.kind === 'invalid') {
    throw new DomainError('VALIDATION_FAILED', 'If-Match must be "*" or a list of strong ETags like "v3"', {
      errors: [{ field: 'header.If-Match', message: 'malformed entity tag' }],
    });
  }
  // Weak tags were dropped by the parser (RFC 9110 §13.1.1): a list of only weak tags never matches.
  return parsed;
}

/** Sets the order's ETag (and Location for 201) and returns its JSON:API document. */
function withOrderHeaders(c: Context<AppEnv>, order: Order, created = false) {
  c.header('ETag', versionToETag(order.version));
  if (created) c.header('Location', orderSelf(order.id));
  return orderDocument(order);
}

export function orderRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  app.use('/orders/*', requireActor(deps.config.auth.tokenSecret), jsonApiNegotiation);

  app.openapi(createOrderRoute, async (c) => {
    const order = await createOrder(deps, c.var.actor, c.req.valid('json'));
    return c.json(withOrderHeaders(c, order, true), 201);
  });

  for (const action of ORDER_ACTIONS) {
    app.openapi(actionRoute(action), async (c) => {
      const ifMatch = ifMatchFrom(c.req.header('if-match'));
      const body = (c.req.valid('json') as z.infer<typeof OrderActionBodySchema> | undefined) ?? {};
      const order = await performAction(deps, c.var.actor, {
        orderId: c.req.valid('param').id,
        action,
        ifMatch,
        reason: body.reason,
      });
      return c.json(withOrderHeaders(c, order), 200);
    });
  }
  return app;
}
