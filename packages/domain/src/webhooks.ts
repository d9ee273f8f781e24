/**
 * Webhooks for partners, defined once: who may register an endpoint, the registration body (plain
 * JSON or a JSON:API resource document), the endpoint, delivery and attempt shapes every surface
 * answers with (REST, tRPC, OpenAPI), the Standard Webhooks payload, and the retry schedule.
 */
import { z } from 'zod';
import { OrderEventTypeSchema, type OrderStreamEvent, OrderStreamEventSchema } from './order-events';
import type { Role } from './roles';
import { IdSchema } from './schemas';

/** Owners register endpoints for their restaurants' orders, admins for every order. */
export const WEBHOOK_ROLES = ['restaurant', 'admin'] as const satisfies readonly Role[];
export function mayManageWebhooks(role: Role): boolean {
  return (WEBHOOK_ROLES as readonly Role[]).includes(role);
}

export const WEBHOOK_ENDPOINT_STATUS = ['active', 'paused', 'disabled'] as const;
export const WEBHOOK_DELIVERY_STATUS = ['pending', 'held', 'succeeded', 'failed'] as const;

const WebhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  .describe('Where deliveries are POSTed');

const EventTypesSchema = z
  .array(OrderEventTypeSchema)
  .min(1)
  .max(32)
  .describe('Only these event types (default: all)');

/** The attributes of a new endpoint. */
export const WebhookEndpointInputSchema = z.strictObject({
  url: WebhookUrlSchema,
  events: EventTypesSchema.optional(),
});
export type WebhookEndpointInput = z.infer<typeof WebhookEndpointInputSchema>;

/** `POST /webhook-endpoints`: `{ url, events? }`, or the same as a JSON:API resource document. */
export const WebhookEndpointCreateBodySchema = z.union([
  WebhookEndpointInputSchema,
  z.strictObject({
    data: z.strictObject({ type: z.literal('webhook-endpoints'), attributes: WebhookEndpointInputSchema }),
  }),
]);
export type WebhookEndpointCreateBody = z.infer<typeof WebhookEndpointCreateBodySchema>;
export function webhookEndpointInput(body: WebhookEndpointCreateBody): WebhookEndpointInput {
  return 'data' in body ? body.data.attributes : body;
}

/** Pause (deliveries are kept and sent on resume) or resume/re-enable an endpoint. */
export const WebhookEndpointUpdateSchema = z.strictObject({
  status: z
    .enum(['active', 'paused'])
    .describe('`paused` holds deliveries; `active` resumes (or re-enables)'),
});

export const WebhookEndpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(OrderEventTypeSchema).nullable().describe('Delivered event types; null: all'),
  status: z.enum(WEBHOOK_ENDPOINT_STATUS),
  disabledReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

/** Secrets are `whsec_` + base64 of 24 random bytes (Standard Webhooks). Shown once. */
export const WebhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/=]+$/)
  .describe('The signing secret (Standard Webhooks `whsec_…`): answered once, keep it');

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({ secret: WebhookSecretSchema });

export const WebhookAttemptSchema = z.object({
  attempt: z.int().min(1),
  startedAt: z.iso.datetime(),
  latencyMs: z.int().min(0),
  responseStatus: z.int().nullable().describe('The receiver’s HTTP status; null when none came'),
  succeeded: z.boolean(),
  error: z.string().nullable(),
});

export const WebhookDeliverySchema = z.object({
  id: z.string().describe('The `webhook-id` of every attempt (stable: dedupe on it)'),
  endpointId: z.uuid(),
  eventType: OrderEventTypeSchema,
  position: z.string(),
  orderId: z.uuid(),
  status: z.enum(WEBHOOK_DELIVERY_STATUS),
  attempts: z.int().min(0),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastResponseStatus: z.int().nullable(),
  createdAt: z.iso.datetime(),
  log: z.array(WebhookAttemptSchema).describe('Every attempt, oldest first'),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListInputSchema = z.strictObject({
  endpointId: IdSchema,
  status: z.enum(WEBHOOK_DELIVERY_STATUS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * What a receiver gets (the Standard Webhooks payload): `type`, `timestamp` and the event as `data`.
 * The body bytes are what is signed.
 */
export const WebhookPayloadSchema = z.object({
  type: OrderEventTypeSchema,
  timestamp: z.iso.datetime(),
  data: OrderStreamEventSchema,
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
export function webhookPayload(event: OrderStreamEvent): WebhookPayload {
  return { type: event.type, timestamp: event.occurredAt, data: event };
}

/** `webhook-id` of a delivery: `msg_` + its id (stable across attempts and redeliveries). */
export const webhookMessageId = (deliveryId: string) => `msg_${deliveryId.replaceAll('-', '')}`;
export function deliveryIdOf(messageId: string): string | null {
  const m = /^msg_([0-9a-f]{32})$/.exec(messageId);
  if (!m) return null;
  const h = m[1]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Delays before the retries (after the first attempt), in seconds — Svix's schedule: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h. Each is jittered by ±`WEBHOOK_JITTER` so endpoints recovering
 * together are not hit together.
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
export const WEBHOOK_JITTER = 0.2;
export function retryDelayMs(schedule: readonly number[], attemptsMade: number, random = Math.random) {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (1 - WEBHOOK_JITTER + 2 * WEBHOOK_JITTER * random()));
}
