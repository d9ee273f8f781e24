/**
 * Rows of the read layer → JSON:API resource objects, one builder per type. Sparse fieldsets
 * decide which attributes and relationships appear (the query already left the rest unread);
 * `attributes`/`relationships` are omitted when empty, as JSON:API allows.
 */
import { type FieldOf, type Fieldsets, ORDER_ATTRIBUTES, type ResourceType, wants } from '../reads/fieldsets';
import type {
  MenuItemRow,
  OrderEventRow,
  OrderItemRow,
  PaymentRow,
  RestaurantRow,
  UserRow,
} from '../reads/order-query';
import type { ReadOrder } from '../reads/order-reads';
import type { IncludedResource, MenuItemResource, OrderResource, RestaurantResource } from './schemas';

export const orderSelf = (id: string) => `/api/v2/orders/${id}`;
export const restaurantSelf = (id: string) => `/api/v2/restaurants/${id}`;

/** The wanted keys of `source` that are present, in vocabulary order. */
function pick<T extends ResourceType>(
  fields: Fieldsets,
  type: T,
  source: object,
  keys: readonly FieldOf<T>[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined && wants(fields, type, key)) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const ref = <T extends string>(type: T, id: string | null | undefined) => (id ? { type, id } : null);

/** Linkage the document knows for an order's to-many/payment relations (from includes or id lists). */
export interface OrderLinkage {
  items(order: ReadOrder): string[] | undefined;
  events(order: ReadOrder): string[] | undefined;
  payment(order: ReadOrder): string | null | undefined;
}

export const NO_INCLUDED_LINKAGE: OrderLinkage = {
  items: (o) => o.itemIds,
  events: (o) => o.eventIds,
  payment: (o) => o.paymentId,
};

export function orderResource(
  order: ReadOrder,
  fields: Fieldsets,
  linkage: OrderLinkage,
  withCursor: boolean,
): OrderResource {
  const attributes = pick(fields, 'orders', order, ORDER_ATTRIBUTES);
  const relationships: NonNullable<OrderResource['relationships']> = {};
  const w = (f: FieldOf<'orders'>) => wants(fields, 'orders', f);
  if (w('customer') && order.customerId !== undefined)
    relationships.customer = { data: ref('users', order.customerId) };
  if (w('restaurant') && order.restaurantId !== undefined)
    relationships.restaurant = { data: ref('restaurants', order.restaurantId) };
  if (w('rider') && order.riderId !== undefined) relationships.rider = { data: ref('users', order.riderId) };
  const items = w('items') ? linkage.items(order) : undefined;
  if (items) relationships.items = { data: items.map((id) => ({ type: 'order-items', id })) };
  const payment = w('payment') ? linkage.payment(order) : undefined;
  if (payment !== undefined) relationships.payment = { data: ref('payments', payment) };
  const events = w('events') ? linkage.events(order) : undefined;
  if (events) relationships.events = { data: events.map((id) => ({ type: 'order-events', id })) };
  return {
    type: 'orders',
    id: order.id,
    ...(attributes ? { attributes: attributes as OrderResource['attributes'] } : {}),
    ...(Object.keys(relationships).length > 0 ? { relationships } : {}),
    links: { self: orderSelf(order.id) },
    ...(withCursor ? { meta: { page: { cursor: order.cursor } } } : {}),
  };
}

export function restaurantResource(
  r: RestaurantRow & { cursor?: string; menuItemIds?: string[] },
  fields: Fieldsets,
  menuItemIds?: string[],
): RestaurantResource {
  const attributes = pick(fields, 'restaurants', r, ['name', 'currency']);
  const ids = menuItemIds ?? r.menuItemIds;
  return {
    type: 'restaurants',
    id: r.id,
    ...(attributes ? { attributes } : {}),
    ...(ids && wants(fields, 'restaurants', 'menuItems')
      ? { relationships: { menuItems: { data: ids.map((id) => ({ type: 'menu-items' as const, id })) } } }
      : {}),
    links: { self: restaurantSelf(r.id) },
    ...(r.cursor ? { meta: { page: { cursor: r.cursor } } } : {}),
  };
}

export function userResource(u: UserRow, fields: Fieldsets): IncludedResource {
  const attributes = pick(fields, 'users', u, ['name', 'role']);
  return { type: 'users', id: u.id, ...(attributes ? { attributes } : {}) };
}

export function orderItemResource(i: OrderItemRow, fields: Fieldsets): IncludedResource {
  const attributes = pick(fields, 'order-items', i, ['name', 'quantity', 'unitPrice']);
  return {
    type: 'order-items',
    id: i.id,
    ...(attributes ? { attributes } : {}),
    ...(i.menuItemId !== undefined && wants(fields, 'order-items', 'menuItem')
      ? { relationships: { menuItem: { data: { type: 'menu-items', id: i.menuItemId } } } }
      : {}),
  };
}

export function menuItemResource(m: MenuItemRow, fields: Fieldsets): MenuItemResource {
  const attributes = pick(fields, 'menu-items', m, ['name', 'price', 'available']);
  return {
    type: 'menu-items',
    id: m.id,
    ...(attributes ? { attributes } : {}),
    ...(m.restaurantId !== undefined && wants(fields, 'menu-items', 'restaurant')
      ? { relationships: { restaurant: { data: { type: 'restaurants', id: m.restaurantId } } } }
      : {}),
  };
}

export function paymentResource(p: PaymentRow, fields: Fieldsets): IncludedResource {
  const attributes = pick(fields, 'payments', p, ['status', 'amount', 'createdAt', 'refundedAt']);
  return { type: 'payments', id: p.id, ...(attributes ? { attributes } : {}) };
}

export function orderEventResource(e: OrderEventRow, fields: Fieldsets): IncludedResource {
  const attributes = pick(fields, 'order-events', e, [
    'action',
    'fromStatus',
    'toStatus',
    'actorRole',
    'version',
    'reason',
    'createdAt',
  ]);
  return {
    type: 'order-events',
    id: e.id,
    ...(attributes ? { attributes: attributes as never } : {}),
  };
}
