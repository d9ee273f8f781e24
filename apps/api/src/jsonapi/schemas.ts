/** zod schemas of the JSON:API documents, for the OpenAPI document (and so the generated SDK types). */
import { z } from '@hono/zod-openapi';
import {
  IdSchema,
  MoneySchema,
  OrderActionSchema,
  OrderStatusSchema,
  VersionSchema,
} from '@quickeats/domain';

const Identifier = (type: string) => z.object({ type: z.literal(type), id: IdSchema });

export const OrderResourceSchema = z
  .object({
    type: z.literal('orders'),
    id: IdSchema,
    attributes: z
      .object({
        status: OrderStatusSchema,
        version: VersionSchema,
        total: MoneySchema,
        note: z.string().nullable(),
        allowedActions: z.array(OrderActionSchema),
        createdAt: z.string(),
        updatedAt: z.string(),
      })
      .partial(),
    relationships: z
      .object({
        customer: z.object({ data: Identifier('users') }),
        restaurant: z.object({ data: Identifier('restaurants') }),
        rider: z.object({ data: Identifier('users').nullable() }),
        items: z.object({ data: z.array(Identifier('order-items')) }),
        payment: z.object({ data: Identifier('payments').nullable() }),
        events: z.object({ data: z.array(Identifier('order-events')) }),
      })
      .partial()
      .optional(),
    links: z.object({ self: z.string() }).optional(),
  })
  .openapi('OrderResource');

export const IncludedResourceSchema = z
  .object({
    type: z.string(),
    id: z.string(),
    attributes: z.record(z.string(), z.unknown()).optional(),
    relationships: z.record(z.string(), z.unknown()).optional(),
    links: z.record(z.string(), z.string()).optional(),
  })
  .openapi('IncludedResource');

export const OrderDocumentSchema = z
  .object({
    jsonapi: z.object({ version: z.string() }).optional(),
    data: OrderResourceSchema,
    included: z.array(IncludedResourceSchema).optional(),
    links: z.object({ self: z.string() }).optional(),
  })
  .openapi('OrderDocument');
