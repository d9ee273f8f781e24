/**
 * zod schemas of the JSON:API documents, for the OpenAPI document (and so the generated SDK
 * types). Attributes are partial because sparse fieldsets may leave any of them out; every
 * resource type the API emits has its own schema, so `included` is a union discriminated by `type`.
 */
import { z } from '@hono/zod-openapi';
import {
  IdSchema,
  MoneySchema,
  OrderActionSchema,
  OrderEventActionSchema,
  OrderStatusSchema,
  PaymentStatusSchema,
  RoleSchema,
  VersionSchema,
} from '@quickeats/domain';

const Identifier = <T extends string>(type: T) => z.object({ type: z.literal(type), id: IdSchema });
const ToOne = <T extends string>(type: T) => z.object({ data: Identifier(type).nullable() });
const ToMany = <T extends string>(type: T) => z.object({ data: z.array(Identifier(type)) });
const SelfLink = z.object({ self: z.string() });
const ItemMeta = z
  .object({ page: z.object({ cursor: z.string() }) })
  .describe('Cursor-pagination profile: the cursor of this item, usable as page[after]');

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
        allowedActions: z.array(OrderActionSchema).describe('Actions the caller may take now'),
        createdAt: z.string(),
        updatedAt: z.string(),
      })
      .partial()
      .optional(),
    relationships: z
      .object({
        customer: ToOne('users'),
        restaurant: ToOne('restaurants'),
        rider: ToOne('users'),
        items: ToMany('order-items'),
        payment: ToOne('payments'),
        events: ToMany('order-events'),
      })
      .partial()
      .optional(),
    links: SelfLink.optional(),
    meta: ItemMeta.optional(),
  })
  .openapi('OrderResource');

export const RestaurantResourceSchema = z
  .object({
    type: z.literal('restaurants'),
    id: IdSchema,
    attributes: z.object({ name: z.string(), currency: z.string() }).partial().optional(),
    relationships: z
      .object({ menuItems: ToMany('menu-items') })
      .partial()
      .optional(),
    links: SelfLink.optional(),
    meta: ItemMeta.optional(),
  })
  .openapi('RestaurantResource');

export const UserResourceSchema = z
  .object({
    type: z.literal('users'),
    id: IdSchema,
    attributes: z.object({ name: z.string(), role: RoleSchema }).partial().optional(),
  })
  .openapi('UserResource');

export const OrderItemResourceSchema = z
  .object({
    type: z.literal('order-items'),
    id: IdSchema,
    attributes: z
      .object({ name: z.string(), quantity: z.int(), unitPrice: MoneySchema })
      .partial()
      .optional(),
    relationships: z
      .object({ menuItem: ToOne('menu-items') })
      .partial()
      .optional(),
  })
  .openapi('OrderItemResource');

export const MenuItemResourceSchema = z
  .object({
    type: z.literal('menu-items'),
    id: IdSchema,
    attributes: z
      .object({ name: z.string(), price: MoneySchema, available: z.boolean() })
      .partial()
      .optional(),
    relationships: z
      .object({ restaurant: ToOne('restaurants') })
      .partial()
      .optional(),
  })
  .openapi('MenuItemResource');

export const PaymentResourceSchema = z
  .object({
    type: z.literal('payments'),
    id: IdSchema,
    attributes: z
      .object({
        status: PaymentStatusSchema,
        amount: MoneySchema,
        createdAt: z.string(),
        refundedAt: z.string().nullable(),
      })
      .partial()
      .optional(),
  })
  .openapi('PaymentResource');

export const OrderEventResourceSchema = z
  .object({
    type: z.literal('order-events'),
    id: IdSchema,
    attributes: z
      .object({
        action: OrderEventActionSchema,
        fromStatus: OrderStatusSchema.nullable(),
        toStatus: OrderStatusSchema,
        actorRole: RoleSchema.nullable(),
        version: VersionSchema,
        reason: z.string().nullable(),
        createdAt: z.string(),
      })
      .partial()
      .optional(),
  })
  .openapi('OrderEventResource');

export const IncludedResourceSchema = z
  .discriminatedUnion('type', [
    RestaurantResourceSchema,
    UserResourceSchema,
    OrderItemResourceSchema,
    MenuItemResourceSchema,
    PaymentResourceSchema,
    OrderEventResourceSchema,
  ])
  .openapi('IncludedResource');

const JsonApiObject = z.object({ version: z.string() });

export const OrderDocumentSchema = z
  .object({
    jsonapi: JsonApiObject.optional(),
    data: OrderResourceSchema,
    included: z.array(IncludedResourceSchema).optional(),
    links: SelfLink.optional(),
  })
  .openapi('OrderDocument');

const PageLinks = z.object({
  self: z.string(),
  next: z.string().nullable().describe('The next page; null on the last page'),
});

export const OrderListDocumentSchema = z
  .object({
    jsonapi: JsonApiObject,
    data: z.array(OrderResourceSchema),
    included: z.array(IncludedResourceSchema).optional(),
    links: PageLinks,
  })
  .openapi('OrderListDocument');

export const RestaurantDocumentSchema = z
  .object({
    jsonapi: JsonApiObject,
    data: RestaurantResourceSchema,
    included: z.array(MenuItemResourceSchema).optional(),
    links: SelfLink,
  })
  .openapi('RestaurantDocument');

export const RestaurantListDocumentSchema = z
  .object({
    jsonapi: JsonApiObject,
    data: z.array(RestaurantResourceSchema),
    included: z.array(MenuItemResourceSchema).optional(),
    links: PageLinks,
  })
  .openapi('RestaurantListDocument');

export type OrderResource = z.infer<typeof OrderResourceSchema>;
export type IncludedResource = z.infer<typeof IncludedResourceSchema>;
export type OrderDocument = z.infer<typeof OrderDocumentSchema>;
export type OrderListDocument = z.infer<typeof OrderListDocumentSchema>;
export type RestaurantResource = z.infer<typeof RestaurantResourceSchema>;
export type MenuItemResource = z.infer<typeof MenuItemResourceSchema>;
export type RestaurantDocument = z.infer<typeof RestaurantDocumentSchema>;
export type RestaurantListDocument = z.infer<typeof RestaurantListDocumentSchema>;
