/**
 * The read side's vocabulary, defined once (SPEC "REST v2 contract", "tRPC", "GraphQL"): which
 * relationships of an order a client may ask to have included, page-size limits, and the shapes
 * of the related resources every read surface returns. REST renders these as JSON:API resources,
 * tRPC and GraphQL as nested objects; all three take their names from here.
 */
import { z } from 'zod';
import { ORDER_ACTIONS } from './order-lifecycle';
import {
  IdSchema,
  MoneySchema,
  OrderItemSchema,
  OrderSchema,
  OrderStatusSchema,
  RoleSchema,
  VersionSchema,
} from './schemas';

/** Include paths of an order (`?include=` in REST, `include` in tRPC). Dotted paths name nested relations. */
export const ORDER_INCLUDE_PATHS = [
  'restaurant',
  'customer',
  'rider',
  'items',
  'items.menuItem',
  'payment',
  'events',
] as const;
export type OrderIncludePath = (typeof ORDER_INCLUDE_PATHS)[number];
export const OrderIncludePathSchema = z.enum(ORDER_INCLUDE_PATHS);

/** Include paths of a restaurant. */
export const RESTAURANT_INCLUDE_PATHS = ['menuItems'] as const;
export type RestaurantIncludePath = (typeof RESTAURANT_INCLUDE_PATHS)[number];

/** Page sizes of every list (SPEC: default 20, max 100; larger is refused, never silently clamped). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The `payments.status` values (the db schema's check constraint holds the same list). */
export const PaymentStatusSchema = z.enum(['succeeded', 'refunded']);
/** Audit-log actions: `create` opens every log, then one lifecycle action per version. */
export const OrderEventActionSchema = z.enum(['create', ...ORDER_ACTIONS]);

/** What any caller who can see an order may see of its customer or rider: no email, no credentials. */
export const UserSummarySchema = z.object({ id: IdSchema, name: z.string(), role: RoleSchema });
export type UserSummary = z.infer<typeof UserSummarySchema>;

export const RestaurantSchema = z.object({ id: IdSchema, name: z.string(), currency: z.string() });
export type Restaurant = z.infer<typeof RestaurantSchema>;

export const MenuItemSchema = z.object({
  id: IdSchema,
  restaurantId: IdSchema,
  name: z.string(),
  price: MoneySchema,
  available: z.boolean(),
});
export type MenuItem = z.infer<typeof MenuItemSchema>;

/** A payment as clients see it; provider references and idempotency keys stay internal. */
export const PaymentSchema = z.object({
  id: IdSchema,
  status: PaymentStatusSchema,
  amount: MoneySchema,
  createdAt: z.iso.datetime(),
  refundedAt: z.iso.datetime().nullable(),
});
export type Payment = z.infer<typeof PaymentSchema>;

export const OrderEventSchema = z.object({
  id: IdSchema,
  action: OrderEventActionSchema,
  fromStatus: OrderStatusSchema.nullable(),
  toStatus: OrderStatusSchema,
  actorRole: RoleSchema.nullable(),
  version: VersionSchema,
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type OrderEvent = z.infer<typeof OrderEventSchema>;

export const RestaurantWithMenuSchema = RestaurantSchema.extend({ menuItems: z.array(MenuItemSchema) });
export type RestaurantWithMenu = z.infer<typeof RestaurantWithMenuSchema>;

/** Filters of the order list (REST `filter[...]`, tRPC `filter`). Ranges are half-open: [after, before). */
export const OrderListFilterSchema = z.strictObject({
  status: z.array(OrderStatusSchema).min(1).max(9).optional().describe('Any of these statuses'),
  restaurantId: z.array(IdSchema).min(1).max(50).optional().describe('Any of these restaurants'),
  createdAfter: z.iso.datetime({ offset: true }).optional().describe('created_at ≥ this instant'),
  createdBefore: z.iso.datetime({ offset: true }).optional().describe('created_at < this instant'),
});
export type OrderListFilter = z.infer<typeof OrderListFilterSchema>;

/**
 * Input of `orders.list`. `pageSize` above `MAX_PAGE_SIZE` is refused with `PAGE_SIZE_TOO_LARGE`
 * (checked by the read service, so REST and tRPC report the same code).
 */
export const OrderListInputSchema = z.strictObject({
  include: z.array(OrderIncludePathSchema).max(ORDER_INCLUDE_PATHS.length).default([]),
  filter: OrderListFilterSchema.default({}),
  pageSize: z.int().min(1).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional().describe('`nextCursor` of the previous page'),
});
export type OrderListInput = z.input<typeof OrderListInputSchema>;

export type OrderItem = z.infer<typeof OrderItemSchema>;

/** An order line with its menu item when `items.menuItem` is included. */
export const OrderLineSchema = OrderItemSchema.extend({ menuItem: MenuItemSchema.optional() });

/** An order with the relations the caller asked for; absent keys were not included. */
export const OrderWithRelationsSchema = OrderSchema.extend({
  items: z.array(OrderLineSchema),
  restaurant: RestaurantSchema.optional(),
  customer: UserSummarySchema.optional(),
  rider: UserSummarySchema.nullable().optional(),
  payment: PaymentSchema.nullable().optional(),
  events: z.array(OrderEventSchema).optional(),
});
export type OrderWithRelations = z.infer<typeof OrderWithRelationsSchema>;

export const OrderPageSchema = z.object({
  items: z.array(OrderWithRelationsSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export type OrderPage = z.infer<typeof OrderPageSchema>;

export const RestaurantListInputSchema = z.strictObject({
  pageSize: z.int().min(1).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional(),
});
export type RestaurantListInput = z.input<typeof RestaurantListInputSchema>;

export const RestaurantPageSchema = z.object({
  items: z.array(RestaurantSchema),
  nextCursor: z.string().nullable(),
});
export type RestaurantPage = z.infer<typeof RestaurantPageSchema>;
