/**
 * v2 webhook endpoints (partners): register (`POST /webhook-endpoints`, answered once with the
 * signing secret), list, read, pause/resume (`PATCH`), delete, rotate the secret, and the delivery
 * log with its redeliver action. Owners manage their own endpoints, admins any. JSON:API documents;
 * the bodies partners receive are documented under `webhooks` in the OpenAPI document.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  IdSchema,
  type WebhookDelivery,
  WebhookDeliveryListInputSchema,
  WebhookDeliverySchema,
  type WebhookEndpoint,
  WebhookEndpointCreateBodySchema,
  WebhookEndpointSchema,
  WebhookEndpointUpdateSchema,
  WebhookPayloadSchema,
  WebhookSecretSchema,
  webhookEndpointInput,
} from '@quickeats/domain';
import { requireActor } from '../auth/require-actor';
import type { AppDeps } from '../context';
import { createOpenApiRouter } from '../http/openapi';
import { problem, tooManyRequests } from '../http/responses';
import { JSONAPI_MEDIA_TYPE } from '../jsonapi/media-type';
import { limitWrites } from '../rate-limit/middleware';
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  setEndpointStatus,
} from '../webhooks/webhooks.service';

const security = [{ bearerAuth: [] }];
const JSON_BODY = ['application/json', JSONAPI_MEDIA_TYPE] as const;
const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: Object.fromEntries(JSON_BODY.map((t) => [t, { schema }])) as Record<
    (typeof JSON_BODY)[number],
    { schema: T }
  >,
});
const jsonApi = <T extends z.ZodType>(schema: T) => ({ [JSONAPI_MEDIA_TYPE]: { schema } });

const ENDPOINT_TYPE = 'webhook-endpoints';
const DELIVERY_TYPE = 'webhook-deliveries';

const EndpointResourceSchema = z.object({
  type: z.literal(ENDPOINT_TYPE),
  id: z.uuid(),
  attributes: WebhookEndpointSchema.omit({ id: true }),
});
const EndpointDocumentSchema = z.object({ data: EndpointResourceSchema }).openapi('WebhookEndpointDocument');
const EndpointWithSecretDocumentSchema = z
  .object({
    data: EndpointResourceSchema.extend({
      attributes: WebhookEndpointSchema.omit({ id: true }).extend({ secret: WebhookSecretSchema }),
    }),
  })
  .openapi('WebhookEndpointWithSecretDocument');
const EndpointListDocumentSchema = z
  .object({ data: z.array(EndpointResourceSchema).max(500) })
  .openapi('WebhookEndpointListDocument');
const DeliveryResourceSchema = z.object({
  type: z.literal(DELIVERY_TYPE),
  id: z.string().describe('The `webhook-id` header of its attempts'),
  attributes: WebhookDeliverySchema.omit({ id: true }),
});
const DeliveryDocumentSchema = z.object({ data: DeliveryResourceSchema }).openapi('WebhookDeliveryDocument');
const DeliveryListDocumentSchema = z
  .object({ data: z.array(DeliveryResourceSchema).max(200) })
  .openapi('WebhookDeliveryListDocument');

function endpointResource<T extends WebhookEndpoint>({ id, ...attributes }: T) {
  return { type: ENDPOINT_TYPE, id, attributes } as const;
}
function deliveryResource({ id, ...attributes }: WebhookDelivery) {
  return { type: DELIVERY_TYPE, id, attributes } as const;
}

const EndpointParams = z.object({ id: IdSchema });
const DeliveryParams = z.object({
  id: IdSchema,
  deliveryId: z
    .string()
    .max(40)
    .regex(/^msg_[0-9a-f]{32}$/)
    .openapi({ description: 'The delivery’s `webhook-id` (`msg_…`)' }),
});

const common = {
  401: problem('Not authenticated'),
  403: problem('Only restaurant owners and admins manage webhook endpoints'),
};
const tags = ['webhooks'];

const routes = {
  create: createRoute({
    method: 'post',
    path: '/webhook-endpoints',
    tags,
    summary: 'Register a webhook endpoint',
    description:
      'Body `{ "url", "events"? }` or the same as a JSON:API resource document. The endpoint receives the ' +
      'order events its owner may see (an owner: their restaurants’ orders; an admin: all), only of the ' +
      'listed types if `events` is given, from now on. The answer carries the signing secret **once**. ' +
      'Deliveries follow Standard Webhooks (see `webhooks` in this document).',
    security,
    request: { body: jsonBody(WebhookEndpointCreateBodySchema) },
    responses: {
      201: {
        description: 'Registered; the secret is shown only here',
        content: jsonApi(EndpointWithSecretDocumentSchema),
      },
      400: problem('Invalid body (url, events)'),
      422: problem(
        'In production: the URL points at a private, loopback or link-local address (`errors[].field` = `url`)',
      ),
      ...common,
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/webhook-endpoints',
    tags,
    summary: 'List webhook endpoints (yours; an admin: all)',
    security,
    responses: {
      200: { description: 'The endpoints', content: jsonApi(EndpointListDocumentSchema) },
      ...common,
    },
  }),
  read: createRoute({
    method: 'get',
    path: '/webhook-endpoints/{id}',
    tags,
    summary: 'Read a webhook endpoint',
    security,
    request: { params: EndpointParams },
    responses: {
      200: { description: 'The endpoint', content: jsonApi(EndpointDocumentSchema) },
      400: problem('Malformed id'),
      ...common,
      404: problem('No such endpoint of the caller'),
    },
  }),
  update: createRoute({
    method: 'patch',
    path: '/webhook-endpoints/{id}',
    tags,
    summary: 'Pause or resume a webhook endpoint',
    description:
      '`{"status":"paused"}` holds new and pending deliveries; `{"status":"active"}` sends them (and ' +
      're-enables an endpoint disabled after failing throughout a retry schedule).',
    security,
    request: { params: EndpointParams, body: jsonBody(WebhookEndpointUpdateSchema) },
    responses: {
      200: { description: 'The endpoint', content: jsonApi(EndpointDocumentSchema) },
      400: problem('Malformed id or body'),
      ...common,
      404: problem('No such endpoint of the caller'),
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
    },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/webhook-endpoints/{id}',
    tags,
    summary: 'Delete a webhook endpoint (and its delivery log)',
    security,
    request: { params: EndpointParams },
    responses: {
      204: { description: 'Deleted' },
      400: problem('Malformed id'),
      ...common,
      404: problem('No such endpoint of the caller'),
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
    },
  }),
  rotate: createRoute({
    method: 'post',
    path: '/webhook-endpoints/{id}/rotate-secret',
    tags,
    summary: 'Rotate the signing secret',
    description:
      'Answers the new secret once. For WEBHOOK_SECRET_ROTATION_GRACE_SECONDS (default 24 h) deliveries carry ' +
      'a second signature made with the previous secret, so receivers can switch without losing any.',
    security,
    request: { params: EndpointParams },
    responses: {
      200: {
        description: 'The endpoint with its new secret',
        content: jsonApi(EndpointWithSecretDocumentSchema),
      },
      400: problem('Malformed id'),
      ...common,
      404: problem('No such endpoint of the caller'),
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
    },
  }),
  deliveries: createRoute({
    method: 'get',
    path: '/webhook-endpoints/{id}/deliveries',
    tags,
    summary: 'The delivery log of an endpoint (newest first)',
    description: 'Each delivery with every attempt: when, how long, the receiver’s status code, the error.',
    security,
    request: { params: EndpointParams, query: WebhookDeliveryListInputSchema.omit({ endpointId: true }) },
    responses: {
      200: { description: 'Deliveries', content: jsonApi(DeliveryListDocumentSchema) },
      400: problem('Malformed id, status or limit'),
      ...common,
      404: problem('No such endpoint of the caller'),
    },
  }),
  delivery: createRoute({
    method: 'get',
    path: '/webhook-endpoints/{id}/deliveries/{deliveryId}',
    tags,
    summary: 'One delivery and its attempts',
    security,
    request: { params: DeliveryParams },
    responses: {
      200: { description: 'The delivery', content: jsonApi(DeliveryDocumentSchema) },
      400: problem('Malformed id'),
      ...common,
      404: problem('No such delivery of the caller'),
    },
  }),
  redeliver: createRoute({
    method: 'post',
    path: '/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
    tags,
    summary: 'Send a delivery again',
    description:
      'Queues the delivery now with the same `webhook-id` (receivers dedupe), starting a new run of the retry schedule.',
    security,
    request: { params: DeliveryParams },
    responses: {
      202: { description: 'Queued', content: jsonApi(DeliveryDocumentSchema) },
      400: problem('Malformed id'),
      ...common,
      404: problem('No such delivery of the caller'),
      409: problem('The endpoint is paused or disabled (WEBHOOK_ENDPOINT_INACTIVE)'),
      429: tooManyRequests('Too many writes by this user (Retry-After, RateLimit-Policy, RateLimit)'),
    },
  }),
};

/**
 * The OpenAPI 3.1 `webhooks` entry: what QuickEats POSTs to a registered endpoint — the body is
 * `WebhookPayloadSchema` (the same zod schema the deliverer builds the payload from, with the event
 * schema the event stream serves as `data`) and the three Standard Webhooks headers.
 */
export const ORDER_EVENT_WEBHOOK = {
  method: 'post',
  // In a webhook entry the "path" is its name under `webhooks`.
  path: 'orderEvent',
  operationId: 'orderEventWebhook',
  tags,
  summary: 'An order event, delivered to a registered endpoint',
  description:
    'Sent to each active endpoint for every order event its owner may see (of the endpoint’s `events` ' +
    'types, if given), signed per Standard Webhooks (https://www.standardwebhooks.com/). Verify the ' +
    'signature over the raw body with the endpoint’s secret (e.g. the `standardwebhooks` package) and ' +
    'dedupe by `webhook-id`: delivery is at-least-once, and retries and redeliveries repeat the id. ' +
    'Any 2xx acknowledges; anything else, or no answer within the timeout, is retried on the schedule, ' +
    'and an endpoint that keeps failing is disabled. Sample receiver: apps/webhook-receiver.',
  request: {
    headers: z.object({
      'webhook-id': z.string().openapi({
        example: 'msg_2b6f0cc904d137be2e1730235f566409',
        description: 'Stable per delivery (`msg_…`) across its attempts and redeliveries: dedupe on it',
      }),
      'webhook-timestamp': z.string().regex(/^\d+$/).openapi({
        example: '1764664443',
        description: 'When this attempt was signed, in Unix seconds; refuse one far from now (replays)',
      }),
      'webhook-signature': z.string().openapi({
        example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
        description:
          'Space-separated `v1,<base64 HMAC-SHA256>` over `{webhook-id}.{webhook-timestamp}.{body}` with the ' +
          'secret (after `whsec_`, base64-decoded); during a secret rotation one per valid secret',
      }),
    }),
    body: {
      required: true,
      description: 'The event; these bytes, unchanged, are what is signed',
      content: { 'application/json': { schema: WebhookPayloadSchema.meta({ id: 'WebhookPayload' }) } },
    },
  },
  // The receiver's answers, as QuickEats reads them (nothing in their bodies is read).
  security: [],
  responses: {
    '2XX': { description: 'Acknowledged: the delivery succeeded and is not sent again' },
    '4XX': {
      description: 'Not acknowledged (e.g. a signature that did not verify): retried on the schedule',
    },
    '5XX': { description: 'Not acknowledged: retried on the schedule; so is no answer within the timeout' },
  },
} satisfies Parameters<ReturnType<typeof createOpenApiRouter>['openAPIRegistry']['registerWebhook']>[0];

export function webhookRoutes(deps: AppDeps) {
  const app = createOpenApiRouter();
  for (const path of ['/webhook-endpoints', '/webhook-endpoints/*']) {
    app.use(path, requireActor(deps));
    app.use(path, limitWrites(deps.rateLimits));
  }
  const json = { 'Content-Type': JSONAPI_MEDIA_TYPE };

  app.openapi(routes.create, async (c) => {
    const endpoint = await createEndpoint(
      c.get('deps'),
      c.var.actor,
      webhookEndpointInput(c.req.valid('json')),
    );
    c.header('Location', `/api/v2/webhook-endpoints/${endpoint.id}`);
    return c.json({ data: endpointResource(endpoint) }, 201, json);
  });
  app.openapi(routes.list, async (c) => {
    const endpoints = await listEndpoints(c.get('deps'), c.var.actor);
    return c.json({ data: endpoints.map(endpointResource) }, 200, json);
  });
  app.openapi(routes.read, async (c) => {
    const endpoint = await getEndpoint(c.get('deps'), c.var.actor, c.req.valid('param').id);
    return c.json({ data: endpointResource(endpoint) }, 200, json);
  });
  app.openapi(routes.update, async (c) => {
    const { status } = c.req.valid('json');
    const endpoint = await setEndpointStatus(c.get('deps'), c.var.actor, c.req.valid('param').id, status);
    return c.json({ data: endpointResource(endpoint) }, 200, json);
  });
  app.openapi(routes.remove, async (c) => {
    await deleteEndpoint(c.get('deps'), c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.rotate, async (c) => {
    const endpoint = await rotateSecret(c.get('deps'), c.var.actor, c.req.valid('param').id);
    return c.json({ data: endpointResource(endpoint) }, 200, json);
  });
  app.openapi(routes.deliveries, async (c) => {
    const { status, limit } = c.req.valid('query');
    const list = await listDeliveries(c.get('deps'), c.var.actor, c.req.valid('param').id, { status, limit });
    return c.json({ data: list.map(deliveryResource) }, 200, json);
  });
  app.openapi(routes.delivery, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(
      { data: deliveryResource(await getDelivery(c.get('deps'), c.var.actor, id, deliveryId)) },
      200,
      json,
    );
  });
  app.openapi(routes.redeliver, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(
      { data: deliveryResource(await redeliver(c.get('deps'), c.var.actor, id, deliveryId)) },
      202,
      json,
    );
  });
  return app;
}
