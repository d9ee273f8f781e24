/**
 * What v1 accepts. Built from the domain's field schemas (ids, statuses) so both surfaces agree on
 * what a valid value is, but in v1's lenient object style: unknown fields are ignored, as v1 always
 * did (v2 refuses them). Invalid input is a 400 `{ error }` naming each bad field, never a 500.
 */
import {
  DomainError,
  exceedsJsonDepth,
  findUnstorableText,
  IdSchema,
  OrderStatusSchema,
  storableText,
  tooDeepError,
  unstorableTextError,
} from '@quickeats/domain';
import type { Context } from 'hono';
import { type ZodType, z } from 'zod';

export const V1CreateOrderSchema = z.object({
  restaurantId: IdSchema,
  items: z
    .array(z.object({ menuItemId: IdSchema, quantity: z.int().min(1).max(99) }))
    .min(1)
    .max(50),
  note: storableText(500).nullish(),
});
export type V1CreateOrder = z.infer<typeof V1CreateOrderSchema>;

/** The legacy `PUT /orders/:id` body: any subset of `status`, `note`, `riderId` — but at least one. */
export const V1UpdateOrderSchema = z
  .object({
    status: OrderStatusSchema.optional(),
    note: storableText(500).nullable().optional(),
    riderId: IdSchema.nullable().optional(),
  })
  .refine((b) => b.status !== undefined || b.note !== undefined || b.riderId !== undefined, {
    message: 'send at least one of status, note, riderId',
  });
export type V1UpdateOrder = z.infer<typeof V1UpdateOrderSchema>;

export const V1ListQuerySchema = z.object({
  status: OrderStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type V1ListQuery = z.infer<typeof V1ListQuerySchema>;

function parseOrThrow<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((i) => `${[where, ...i.path.map(String)].filter(Boolean).join('.') || 'body'}: ${i.message}`)
    .join('; ');
  throw new DomainError('VALIDATION_FAILED', `Invalid request: ${detail}`);
}

/** The JSON body, validated; malformed or missing JSON is a 400 (v1 never trusted Content-Type). */
export async function readV1Body<T>(c: Context, schema: ZodType<T>): Promise<T> {
  const text = await c.req.text();
  if (exceedsJsonDepth(text)) throw tooDeepError();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError('MALFORMED_JSON', 'Request body must be a JSON object');
  }
  // Unknown members are ignored by v1 but must not reach the database either (a 400, not a 500).
  const field = findUnstorableText(value);
  if (field !== null) throw unstorableTextError(field);
  return parseOrThrow(schema, value, '');
}

export function readV1Query<T>(c: Context, schema: ZodType<T>): T {
  return parseOrThrow(schema, c.req.query(), 'query');
}

/** Path ids that are not UUIDs name no order: 404, and they never reach a uuid column as-is. */
export function orderIdParam(c: Context): string {
  const id = c.req.param('id');
  if (!id || !IdSchema.safeParse(id).success) throw new DomainError('NOT_FOUND', 'Order not found');
  return id;
}
