/**
 * How v1 loads what it nests in an order: every relation by its own query keyed by the order id
 * (the lazy-association style of the ORM the legacy code was written against). Loading an order
 * therefore costs k = `V1_ORDER_RELATIONS.length` statements whatever the data (a missing rider is
 * still a query that finds nothing), so a list of N orders costs exactly 1 + N·k — problem 4, kept
 * on purpose as the baseline v2's single-statement compound documents are measured against.
 * It also returns everything, including the payment and the whole audit log (over-fetching).
 */
import {
  type Database,
  menuItems,
  orderEvents,
  orderItems,
  orders,
  payments,
  restaurants,
  users,
} from '@quickeats/db';
import { asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';

/** The relations v1 nests in every order, one query each, in the order they are loaded. */
export const V1_ORDER_RELATIONS = [
  'restaurant',
  'customer',
  'rider',
  'items',
  'items.menuItem',
  'payment',
  'events',
] as const;
export type V1OrderRelation = (typeof V1_ORDER_RELATIONS)[number];

// Public user columns only: a password hash never leaves the database, and the representation
// blanks the e-mail for anyone but its owner (and admins).
const userColumns = { id: users.id, name: users.name, email: users.email, role: users.role };
const riders = alias(users, 'rider');

/** One loader per relation, each a single statement keyed by the order id. */
const LOADERS = {
  restaurant: async (db: Database, orderId: string) =>
    db
      .select({
        id: restaurants.id,
        name: restaurants.name,
        currency: restaurants.currency,
        ownerId: restaurants.ownerId,
      })
      .from(restaurants)
      .innerJoin(orders, eq(orders.restaurantId, restaurants.id))
      .where(eq(orders.id, orderId)),
  customer: async (db: Database, orderId: string) =>
    db
      .select(userColumns)
      .from(users)
      .innerJoin(orders, eq(orders.customerId, users.id))
      .where(eq(orders.id, orderId)),
  rider: async (db: Database, orderId: string) =>
    db
      .select({ id: riders.id, name: riders.name, email: riders.email, role: riders.role })
      .from(riders)
      .innerJoin(orders, eq(orders.riderId, riders.id))
      .where(eq(orders.id, orderId)),
  items: async (db: Database, orderId: string) =>
    db
      .select({
        id: orderItems.id,
        menuItemId: orderItems.menuItemId,
        name: orderItems.name,
        quantity: orderItems.quantity,
        unitPriceAmount: orderItems.unitPriceAmount,
        currency: orderItems.currency,
      })
      .from(orderItems)
      .where(eq(orderItems.orderId, orderId))
      .orderBy(asc(orderItems.name), asc(orderItems.id)),
  'items.menuItem': async (db: Database, orderId: string) =>
    db
      .selectDistinct({
        id: menuItems.id,
        restaurantId: menuItems.restaurantId,
        name: menuItems.name,
        priceAmount: menuItems.priceAmount,
        currency: menuItems.currency,
        available: menuItems.available,
      })
      .from(menuItems)
      .innerJoin(orderItems, eq(orderItems.menuItemId, menuItems.id))
      .where(eq(orderItems.orderId, orderId)),
  payment: async (db: Database, orderId: string) =>
    db
      .select({
        id: payments.id,
        amount: payments.amount,
        currency: payments.currency,
        status: payments.status,
        providerReference: payments.providerReference,
        refundReference: payments.refundReference,
        createdAt: payments.createdAt,
        refundedAt: payments.refundedAt,
      })
      .from(payments)
      .where(eq(payments.orderId, orderId)),
  events: async (db: Database, orderId: string) =>
    db
      .select({
        action: orderEvents.action,
        fromStatus: orderEvents.fromStatus,
        toStatus: orderEvents.toStatus,
        version: orderEvents.version,
        actorId: orderEvents.actorId,
        actorRole: orderEvents.actorRole,
        reason: orderEvents.reason,
        createdAt: orderEvents.createdAt,
      })
      .from(orderEvents)
      .where(eq(orderEvents.orderId, orderId))
      .orderBy(asc(orderEvents.version)),
} satisfies Record<V1OrderRelation, (db: Database, orderId: string) => Promise<unknown[]>>;

/** The rows of every relation of one order. */
export type V1OrderRelations = { [R in V1OrderRelation]: Awaited<ReturnType<(typeof LOADERS)[R]>> };

/** Load every relation of one order, one statement after the other (k statements). */
export async function loadOrderRelations(db: Database, orderId: string): Promise<V1OrderRelations> {
  const loaded: Partial<Record<V1OrderRelation, unknown>> = {};
  for (const relation of V1_ORDER_RELATIONS) loaded[relation] = await LOADERS[relation](db, orderId);
  return loaded as V1OrderRelations;
}
