/**
 * v1's JSON shapes: plain objects, amounts as integer minor units, everything nested. These are a
 * frozen contract of deployed mobile apps — change no shape here (that is problem 5; v2 versions).
 * Only personal data of others is blanked (`null`), as v2 never shows it.
 */
import type { orders } from '@quickeats/db';
import type { Actor } from '@quickeats/domain';
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

type V1User = V1OrderRelations['customer'][number];

/**
 * Personal data v2 never shows (issue 12): a person's e-mail is theirs (and an admin's) to see,
 * a payment's provider references the paying customer's (and an admin's) — not the restaurant's,
 * nor every rider's who may see a `ready` order. The legacy shape keeps the keys, with `null`.
 */
function v1Person(
  user: V1User | undefined,
  viewer: Actor,
): (Omit<V1User, 'email'> & { email: string | null }) | null {
  if (!user) return null;
  const own = viewer.role === 'admin' || viewer.userId === user.id;
  return { ...user, email: own ? user.email : null };
}

/** The order with every relation nested, as `GET` returns it (the over-fetching half of problem 4). */
export function v1NestedOrder(row: OrderRow, rel: V1OrderRelations, viewer: Actor) {
  const menuItemById = new Map(rel['items.menuItem'].map((m) => [m.id, m]));
  const payment = rel.payment[0];
  const payer = viewer.role === 'admin' || viewer.userId === row.customerId;
  return {
    ...v1Order(row),
    restaurant: rel.restaurant[0] ?? null,
    customer: v1Person(rel.customer[0], viewer),
    rider: v1Person(rel.rider[0], viewer),
    items: rel.items.map((item) => ({ ...item, menuItem: menuItemById.get(item.menuItemId) ?? null })),
    payment: payment
      ? {
          ...payment,
          providerReference: payer ? payment.providerReference : null,
          refundReference: payer ? payment.refundReference : null,
          createdAt: payment.createdAt.toISOString(),
          refundedAt: payment.refundedAt?.toISOString() ?? null,
        }
      : null,
    events: rel.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  };
}
export type V1NestedOrder = ReturnType<typeof v1NestedOrder>;
