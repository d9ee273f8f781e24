/**
 * Batch reads by id lists, one statement per call (`= any($ids)`), for DataLoader-style resolvers
 * (GraphQL): however many orders a query touches, each kind of related row costs one statement
 * per nesting level, never one per row. Results come back grouped in the order of the keys, as
 * DataLoader requires. Only reachable through orders the actor can see (the loaders are fed
 * with ids from visible orders), so these carry no visibility rule of their own.
 */
import { type Database, executeRows, type Tx } from '@quickeats/db';
import type { MenuItem, OrderEvent, OrderItem, Payment, Restaurant, UserSummary } from '@quickeats/domain';
import { sql } from 'drizzle-orm';

const ids = (keys: readonly string[]) => sql`any(${sql.param([...keys])}::uuid[])`;
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

function one<T extends { id: string }>(keys: readonly string[], rows: T[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return keys.map((k) => map.get(k) ?? null);
}

function many<T>(keys: readonly string[], rows: T[], key: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) map.get(key(row))?.push(row);
  return keys.map((k) => map.get(k) ?? []);
}

export async function restaurantsById(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<Restaurant>(
    db,
    sql`select id, name, currency from restaurants where id = ${ids(keys)}`,
  );
  return one(keys, rows);
}

export async function usersById(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<UserSummary>(
    db,
    sql`select id, name, role from users where id = ${ids(keys)}`,
  );
  return one(keys, rows);
}

export async function menuItemsById(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<MenuItem>(
    db,
    sql`select id, restaurant_id as "restaurantId", name, available,
               json_build_object('amount', price_amount, 'currency', currency) as price
          from menu_items where id = ${ids(keys)}`,
  );
  return one(keys, rows);
}

export async function menuItemsByRestaurant(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<MenuItem>(
    db,
    sql`select id, restaurant_id as "restaurantId", name, available,
               json_build_object('amount', price_amount, 'currency', currency) as price
          from menu_items where restaurant_id = ${ids(keys)} order by name, id`,
  );
  return many(keys, rows, (m) => m.restaurantId);
}

export async function itemsByOrder(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<OrderItem & { orderId: string }>(
    db,
    sql`select id, order_id as "orderId", menu_item_id as "menuItemId", name, quantity,
               json_build_object('amount', unit_price_amount, 'currency', currency) as "unitPrice"
          from order_items where order_id = ${ids(keys)} order by name, id`,
  );
  return many(keys, rows, (i) => i.orderId);
}

export async function paymentsByOrder(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<Payment & { orderId: string }>(
    db,
    sql`select id, order_id as "orderId", status,
               json_build_object('amount', amount, 'currency', currency) as amount,
               to_char(created_at at time zone 'UTC', ${sql.raw(ISO)}) as "createdAt",
               to_char(refunded_at at time zone 'UTC', ${sql.raw(ISO)}) as "refundedAt"
          from payments where order_id = ${ids(keys)}`,
  );
  return many(keys, rows, (p) => p.orderId).map((list) => list[0] ?? null);
}

export async function eventsByOrder(db: Database | Tx, keys: readonly string[]) {
  const rows = await executeRows<OrderEvent & { orderId: string }>(
    db,
    sql`select id, order_id as "orderId", action, from_status as "fromStatus", to_status as "toStatus",
               actor_role as "actorRole", version, reason,
               to_char(created_at at time zone 'UTC', ${sql.raw(ISO)}) as "createdAt"
          from order_events where order_id = ${ids(keys)} order by version`,
  );
  return many(keys, rows, (e) => e.orderId);
}
