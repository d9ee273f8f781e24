/**
 * The write path's floor (issue 15): each write of an order's lifecycle as ONE prepared postgres.js
 * statement and nothing else — a create (order, item and event inserted by one statement), and
 * each transition as the conditional `UPDATE … WHERE version AND status` with its event `INSERT`.
 * Run in-process by `near-limit.ts` and served over HTTP by `bare-server.ts`, so the API's writes
 * are compared with the database alone and with the database behind the thinnest HTTP server.
 */
import type postgres from 'postgres';

type Sql = ReturnType<typeof postgres>;

/** The transitions of a lifecycle after its create, in order; the n-th runs on version n. */
export const BARE_STEPS = [
  { action: 'pay', from: 'pending', to: 'paid', role: 'customer' },
  { action: 'accept', from: 'paid', to: 'accepted', role: 'restaurant' },
  { action: 'mark-ready', from: 'accepted', to: 'ready', role: 'restaurant' },
  { action: 'pick-up', from: 'ready', to: 'picked_up', role: 'rider' },
  { action: 'deliver', from: 'picked_up', to: 'delivered', role: 'rider' },
] as const;

export type BareAction = (typeof BARE_STEPS)[number]['action'];

export interface BareOrder {
  customerId: string;
  restaurantId: string;
  menuItemId: string;
}

/** A pending order of one item, with its create event; its id. */
export async function bareCreate(sql: Sql, order: BareOrder): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
      with o as (insert into orders (customer_id, restaurant_id, total_amount, currency)
                 values (${order.customerId}, ${order.restaurantId}, 1000, 'USD') returning id),
           i as (insert into order_items (order_id, menu_item_id, name, quantity, unit_price_amount, currency)
                 select id, ${order.menuItemId}, 'x', 1, 1000, 'USD' from o),
           e as (insert into order_events (order_id, action, from_status, to_status, actor_id, actor_role, version)
                 select id, 'create', null, 'pending', ${order.customerId}, 'customer', 1 from o)
      select id from o`;
  return row!.id;
}

/** `action` on the order if it is at `version` in the action's source status; whether it matched. */
export async function bareTransition(
  sql: Sql,
  orderId: string,
  version: number,
  action: BareAction,
  actorId: string,
): Promise<boolean> {
  const step = BARE_STEPS.find((s) => s.action === action)!;
  const rows = await sql`
      with upd as (
        update orders set status = ${step.to}, version = version + 1, updated_at = now()
         where id = ${orderId} and version = ${version} and status = ${step.from} returning id, version)
      insert into order_events (order_id, action, from_status, to_status, actor_id, actor_role, version)
      select id, ${step.action}, ${step.from}, ${step.to}, ${actorId}, ${step.role}, version from upd
      returning version`;
  return rows.length === 1;
}

/** The accept, as the write-path rows time it. */
export const bareAccept = (sql: Sql, orderId: string, version: number, actorId: string) =>
  bareTransition(sql, orderId, version, 'accept', actorId);
