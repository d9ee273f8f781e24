/**
 * v2 order write routes: create and one explicit action route per row of the lifecycle
 * table (`POST /orders/{id}/<action>`), generated from `ORDER_ACTIONS`. Handlers only translate
 * HTTP ⇄ service call: conditional headers → expected version, result → JSON:API document + ETag.
 * Reads (`GET /orders`, `GET /orders/{id}`) live in order-reads.routes.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  type Actor,
  type CreateOrderInput,
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
  requiresIdempotencyKey,
  rolesAllowed,
  versionToETag,
} from '@quickeats/domain';
import type { Context } from 'hono';
import { requireActor } from '../auth/require-actor';
import type { AppDeps, AppEnv } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { validationError } from '../http/problem';
import { problem, tooManyRequests } from '../http/responses';
import type { Render } from '../idempotency/commit-hook';
import { idempotencyKeys, REPLAYED_HEADER } from '../idempotency/middleware';
import type { StoredResponse } from '../idempotency/store';
import {
  createInputFromDocument,
  inDocumentTerms,
  looksLikeDocument,
  OrderCreateDocumentSchema,
} from '../jsonapi/create-document';
import { JSONAPI_CONTENT_TYPE, JSONAPI_MEDIA_TYPE, parseMediaRanges } from '../jsonapi/media-type';
import { jsonApiNegotiation } from '../jsonapi/negotiation';
import { orderDocument, orderSelf } from '../jsonapi/order-resource';
import { OrderDocumentSchema } from '../jsonapi/schemas';
import { limitWrites } from '../rate-limit/middleware';
import { readRestaurant } from '../reads/restaurant-reads';
import { snapshotAlong, snapshotFromAlong } from '../services/order-store';
import { createOrder, performAction, writesInOneStatement } from '../services/orders.service';

const OrderIdParams = z.object({ id: IdSchema });
const JSON_BODY = ['application/json', 'application/vnd.api+json'] as const;
const jsonBody = <T extends z.ZodType>(schema: T, required: boolean) => ({
  required,
  content: Object.fromEntries(JSON_BODY.map((t) => [t, { schema }])) as Record<
    (typeof JSON_BODY)[number],
    { schema: T }
  >,
});
const security = [{ bearerAuth: [] }];

/** A write's success response: the order document with its ETag, marked when it is a replay. */
const orderWritten = (description: string, created: boolean) => ({
  description,
  headers: z.object({
    ETag: z.string().openapi({ description: 'Strong validator of the order version, e.g. "v3"' }),
    ...(created ? { Location: z.string().openapi({ description: 'URL of the new order' }) } : {}),
    [REPLAYED_HEADER]: z.literal('true').optional().openapi({
      description: 'Present on a stored response replayed for a repeated Idempotency-Key',
    }),
  }),
  content: { 'application/vnd.api+json': { schema: OrderDocumentSchema } },
});

/** `Idempotency-Key` (SPEC "Idempotency"), documented from the same rule the middleware applies. */
const idempotencyKeyHeader = (required: boolean) => {
  const description =
    '1–255 printable ASCII characters (a structured-field string `"…"` is accepted too), unique per ' +
    'operation and reused unchanged on its retries. Scoped to the caller and this path; the response ' +
    'is stored for 24 h and replayed for the same request, 422 for a different one, 409 while the ' +
    `first is still running. ${required ? 'Required.' : 'Optional.'}`;
  const header = z.string().openapi({ description, example: '0b9f6c7e-5d1a-4c2b-9a8e-3f1d2c4b5a69' });
  return { 'idempotency-key': required ? header : header.optional() };
};

/**
 * The answer to a write as the idempotency layer stores and replays it: exactly the bytes and
 * headers the handler's `c.json` would send (the same document, the final media type).
 */
function orderAnswer(status: 200 | 201): Render {
  const render = (order: Order): StoredResponse => ({
    status,
    headers: {
      'Content-Type': JSONAPI_CONTENT_TYPE,
      ETag: versionToETag(order.version),
      ...(status === 201 ? { Location: orderSelf(order.id) } : {}),
    },
    body: JSON.stringify(orderDocument(order)),
  });
  return Object.assign(render, { status });
}

const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({
    description: 'Required: the ETag of the order version the action is based on',
    example: '"v3"',
  }),
});

const createOrderHeaders = z.object(idempotencyKeyHeader(requiresIdempotencyKey('create')));

/**
 * The documented create: a JSON:API resource document (`application/vnd.api+json`), or the flat
 * body as `application/json`. Each media type has its own schema, which the handler applies by
 * Content-Type (zod-openapi would run every JSON schema on every body), so this definition is only
 * registered for the OpenAPI document.
 */
const createOrderRoute = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['orders'],
  summary: 'Place an order (customers)',
  description:
    'Send a JSON:API 1.1 resource document as `application/vnd.api+json`: `data.type` `orders`, the ' +
    'restaurant as the `restaurant` relationship, the ordered menu items as the `lines` attribute. ' +
    'No `data.id` (the server assigns it; a client-generated id → 403), another `type` → 409, a restaurant ' +
    'that does not exist → 404. The same order as a flat object (`restaurantId`, `items`, `note`) is ' +
    'accepted as `application/json`. JSON:API extensions (`ext`) are not supported (415); profiles ' +
    'are ignored. The answer is the order document either way.',
  security,
  request: {
    headers: createOrderHeaders,
    body: {
      required: true,
      content: {
        'application/vnd.api+json': { schema: OrderCreateDocumentSchema },
        'application/json': { schema: CreateOrderInputSchema },
      },
    },
  },
  responses: {
    201: orderWritten('Order created (status pending, version 1)', true),
    400: problem('Invalid body, or Idempotency-Key missing or malformed'),
    401: problem('Not authenticated'),
    403: problem('Only customers place orders; a JSON:API document with a client-generated id'),
    404: problem('JSON:API document: the related restaurant does not exist'),
    409: problem(
      'A request with this Idempotency-Key is in flight (Retry-After); a JSON:API document whose type is not orders',
    ),
    415: problem('Body is not JSON, or names an unsupported JSON:API extension'),
    422: problem(
      'Items not orderable from this restaurant, or Idempotency-Key reused with a different request',
    ),
    429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
  },
});

/** The create body by media type: a JSON:API document → service input, or the flat object. */
async function createInputFrom(c: Context<AppEnv>): Promise<{ input: CreateOrderInput; document: boolean }> {
  let body: unknown;
  try {
    // An empty body is an empty object: refused below naming the missing fields (issue 12).
    const text = await c.req.text();
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new DomainError('MALFORMED_JSON');
  }
  const [range] = parseMediaRanges(c.req.header('content-type') ?? '');
  if (range?.type === JSONAPI_MEDIA_TYPE) return { input: createInputFromDocument(body), document: true };
  const flat = CreateOrderInputSchema.safeParse(body);
  if (flat.success) return { input: flat.data, document: false };
  const error = validationError(flat.error, 'body');
  if (looksLikeDocument(body)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'This is a JSON:API document: send it as Content-Type: application/vnd.api+json',
      error.extras,
    );
  }
  throw error;
}

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
    request: {
      params: OrderIdParams,
      headers: IfMatchHeader.extend(idempotencyKeyHeader(requiresIdempotencyKey(action))),
      body: jsonBody(OrderActionBodySchema, false),
    },
    responses: {
      200: orderWritten(`Order after ${action}`, false),
      400: problem('Malformed id, header (If-Match, Idempotency-Key) or body'),
      401: problem('Not authenticated'),
      403: problem('This role may never perform this action'),
      404: problem('No such order visible to the caller'),
      409: problem(
        'Not allowed in the current state (see allowedActions), or a request with this Idempotency-Key is in flight (Retry-After)',
      ),
      412: problem('If-Match does not name the current version (see currentVersion)'),
      415: problem('Body is not JSON'),
      422: problem('Idempotency-Key reused with a different request'),
      428: problem('If-Match is required'),
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
      ...(action === 'pay'
        ? {
            502: problem(
              'The payment provider did not confirm the charge; retry with the same Idempotency-Key',
            ),
          }
        : {}),
    },
  });

/** Parse `If-Match`. Missing → 428; syntactically malformed (not RFC 9110 entity tags) → 400. */
export function ifMatchFrom(header: string | undefined): Exclude<IfMatch, { kind: 'invalid' }> {
  if (header === undefined) {
    throw new DomainError(
      'PRECONDITION_REQUIRED',
      'Send If-Match with the ETag of the order version you are acting on',
    );
  }
  const parsed = parseIfMatch(header);
  if (parsed.kind === 'invalid') {
    throw new DomainError('VALIDATION_FAILED', 'If-Match must be "*" or a list of entity tags like "v3"', {
      errors: [{ field: 'header.If-Match', message: 'malformed entity tag' }],
    });
  }
  // Any valid entity tag is accepted; weak and foreign ones never match (→ 412, RFC 9110 §13.1.1).
  return parsed;
}

/** The action's request will be one statement (a malformed or missing If-Match: refused, so not). */
function oneStatementRequest(action: OrderAction, actor: Actor, header: string | undefined): boolean {
  const parsed = header === undefined ? null : parseIfMatch(header);
  return !!parsed && parsed.kind !== 'invalid' && writesInOneStatement(action, actor, parsed);
}

const restaurantExists = async (deps: AppDeps, id: string) => (await readRestaurant(deps.db, id)) !== null;

/** Sets the order's ETag (and Location for 201) and returns its JSON:API document. */
function withOrderHeaders(c: Context<AppEnv>, order: Order, created = false) {
  c.header('ETag', versionToETag(order.version));
  if (created) c.header('Location', orderSelf(order.id));
  return orderDocument(order);
}

const created = orderAnswer(201);
const changed = orderAnswer(200);

export function orderRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  app.use('/orders/*', requireActor(deps), jsonApiNegotiation);
  // Per-user write limit: after authentication, before anything reads or fingerprints the body.
  app.use('/orders/*', limitWrites(deps.rateLimits));
  // After authentication (a key is scoped to its user) and before the handlers' own validation (a
  // refused body is a final 4xx, stored like any other).
  // A create's whole effect is its one insert statement: where the store allows, it claims the key.
  app.use(
    '/orders',
    idempotencyKeys({
      required: requiresIdempotencyKey('create'),
      render: created,
      claimedByWrite: () => deps.idempotency.claimsCreatesInWrite,
    }),
  );
  for (const action of ORDER_ACTIONS) {
    app.use(
      `/orders/:id/${action}`,
      idempotencyKeys({
        required: requiresIdempotencyKey(action),
        render: changed,
        claimedByWrite: (c) => oneStatementRequest(action, c.var.actor, c.req.header('if-match')),
        // A leased key's action reads its order first: that read rides on the lease's statement.
        readAlong: (c) => snapshotAlong(c.req.param('id')),
      }),
    );
  }

  app.openAPIRegistry.registerPath(createOrderRoute);
  app.openapi({ ...createOrderRoute, hide: true, request: { headers: createOrderHeaders } }, async (c) => {
    const { input, document } = await createInputFrom(c);
    const deps = c.get('deps');
    const order = await createOrder(deps, c.var.actor, input, {
      onCommit: c.var.idempotency?.commitWith(created),
    }).catch(async (error: unknown) => {
      throw document ? await inDocumentTerms(error, input, (id) => restaurantExists(deps, id)) : error;
    });
    return c.json(withOrderHeaders(c, order, true), 201);
  });

  for (const action of ORDER_ACTIONS) {
    app.openapi(actionRoute(action), async (c) => {
      const ifMatch = ifMatchFrom(c.req.header('if-match'));
      const body = (c.req.valid('json') as z.infer<typeof OrderActionBodySchema> | undefined) ?? {};
      const order = await performAction(
        c.get('deps'),
        c.var.actor,
        { orderId: c.req.valid('param').id, action, ifMatch, reason: body.reason },
        {
          onCommit: c.var.idempotency?.commitWith(changed),
          snapshot: snapshotFromAlong(c.var.idempotency?.readAlong),
        },
      );
      return c.json(withOrderHeaders(c, order), 200);
    });
  }
  return app;
}
