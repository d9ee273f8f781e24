/**
 * v1's JSON shapes: plain objects, amounts as integer minor units, everything nested. These are a
 * frozen contract of deployed mobile apps — change nothing here (that is problem 5; v2 versions).
 */
import type { orders } from '@quickeats/db';
import type { V1OrderRelations } from './legacy-relations';

type OrderRow = typeof orders.$inferSelect;

/** The order row alone, as `PUT` and the payment route return it. */
export function v1Order(row: OrderRow) {
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    customerId: row.customerId,
    restaurantId: row.restaurantId,
    riderId: row.riderId,
    totalAmount: row.totalAmount,
    currency: row.currency,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type V1Order = ReturnType<typeof v1Order>;

/** The order with every relation nested, as `GET` returns it (the over-fetching half of problem 4). */
export function v1NestedOrder(row: OrderRow, rel: V1OrderRelations) {
  const menuItemById = new Map(rel['items.menuItem'].map((m) => [m.id, m]));
  const payment = rel.payment[0];
  return {
    ...v1Order(row),
    restaurant: rel.restaurant[0] ?? null,
    customer: rel.customer[0] ?? null,
    rider: rel.rider[0] ?? null,
    items: rel.items.map((item) => ({ ...item, menuItem: menuItemById.get(item.menuItemId) ?? null })),
    payment: payment
      ? {
          ...payment,
          createdAt: payment.createdAt.toISOString(),
          refundedAt: payment.refundedAt?.toISOString() ?? null,
        }
      : null,
    events: rel.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  };
}
export type V1NestedOrder = ReturnType<typeof v1NestedOrder>;
