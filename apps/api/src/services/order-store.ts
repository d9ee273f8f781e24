/**
 * Order persistence for the use cases. Every statement here is chosen for what it guarantees:
 * the snapshot read joins the owner so `decide()` needs no second query; a transition is ONE
 * statement (a data-modifying CTE) that updates the order only if its version and status are
 * still the ones decided on, and appends the audit event atomically with it — so the event log
 * can never disagree with the order, across any number of API processes.
 */
import { type Database, executeRows, orderEvents, orderItems, orders, type Tx } from '@quickeats/db';
import type { Actor, Order, OrderAction, OrderSnapshot, OrderStatus, Transition } from '@quickeats/domain';
import { allowedActions, canView, statusesAllowing } from '@quickeats/domain';
import { sql } from 'drizzle-orm';

export interface StoredOrder extends OrderSnapshot {
  id: string;
  restaurantId: string;
  totalAmount: number;
  currency: string;
}

/** Columns both order reads select (snake_case, as PostgreSQL returns them). */
type SnapshotRow = {
  id: string;
  status: OrderStatus;
  version: number;
  customer_id: string;
  restaurant_id: string;
  owner_id: string;
  rider_id: string | null;
  total_amount: number;
  currency: string;
};

/** The decision snapshot of one order (1 statement), or null when it does not exist. */
export async function loadSnapshot(db: Database | Tx, orderId: string): Promise<StoredOrder | null> {
  const [row] = await executeRows<SnapshotRow>(
    db,
    sql`select o.id, o.status, o.version, o.customer_id, o.restaurant_id, r.owner_id, o.rider_id, o.total_amount, o.currency
        from orders o join restaurants r on r.id = o.restaurant_id where o.id = ${orderId}`,
  );
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    customerId: row.customer_id,
    restaurantId: row.restaurant_id,
    restaurantOwnerId: row.owner_id,
    riderId: row.rider_id,
    totalAmount: row.total_amount,
    currency: row.currency,
  };
}

/**
 * Apply a decided transition with one conditional statement:
 * `UPDATE … WHERE id = $1 AND version = $2 AND status = ANY($allowed)` plus the event insert in the
 * same statement. Returns false when another writer got there first (nothing written).
 */
export async function applyTransition(
  db: Database | Tx,
  orderId: string,
  expectedVersion: number,
  d: Transition,
  actor: Actor,
  reason: string | undefined,
): Promise<boolean> {
  const allowed = statusesAllowing(d.action);
  const rows = await executeRows<{ version: number }>(
    db,
    sql`with updated as (
          update ${orders}
             set status = ${d.to}, version = version + 1, rider_id = ${d.riderId}, updated_at = now()
           where id = ${orderId} and version = ${expectedVersion} and status in ${allowed}
       returning id, version
        )
        insert into ${orderEvents} (order_id, action, from_status, to_status, actor_id, actor_role, version, reason)
        select id, ${d.action}, ${d.from}, ${d.to}, ${actor.userId}, ${actor.role}, version, ${reason ?? null} from updated
        returning version`,
  );
  return rows.length === 1 && rows[0]?.version === d.version;
}

/**
 * The order as the API shows it to `actor`, with its items and the actor's allowed actions
 * (1 statement); null when it does not exist or the actor may not see it (existence is not leaked).
 */
export async function loadOrderView(db: Database | Tx, orderId: string, actor: Actor): Promise<Order | null> {
  const [row] = await executeRows<
    SnapshotRow & {
      note: string | null;
      created_at: string | Date;
      updated_at: string | Date;
      items:
        | {
            id: string;
            menuItemId: string;
            name: string;
            quantity: number;
            unitPriceAmount: number;
            currency: string;
          }[]
        | null;
    }
  >(
    db,
    sql`select o.id, o.status, o.version, o.customer_id, o.restaurant_id, r.owner_id, o.rider_id, o.total_amount,
               o.currency, o.note, o.created_at, o.updated_at,
               (select json_agg(json_build_object('id', i.id, 'menuItemId', i.menu_item_id, 'name', i.name,
                        'quantity', i.quantity, 'unitPriceAmount', i.unit_price_amount, 'currency', i.currency) order by i.name, i.id)
                  from ${orderItems} i where i.order_id = o.id) as items
          from orders o join restaurants r on r.id = o.restaurant_id
         where o.id = ${orderId}`,
  );
  if (!row) return null;
  const snapshot: OrderSnapshot = {
    status: row.status,
    version: row.version,
    customerId: row.customer_id,
    restaurantOwnerId: row.owner_id,
    riderId: row.rider_id,
  };
  if (!canView(snapshot, actor)) return null;
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    customerId: row.customer_id,
    restaurantId: row.restaurant_id,
    riderId: row.rider_id,
    total: { amount: row.total_amount, currency: row.currency },
    note: row.note,
    items: (row.items ?? []).map((i) => ({
      id: i.id,
      menuItemId: i.menuItemId,
      name: i.name,
      quantity: i.quantity,
      unitPrice: { amount: i.unitPriceAmount, currency: i.currency },
    })),
    allowedActions: allowedActions(snapshot, actor),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export type { OrderAction };
