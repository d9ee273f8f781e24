/**
 * The outbox: the order event log read in position order, never past a position whose transaction
 * may still commit. Writers draw positions under a shared advisory lock held until they end; the
 * reader's `order_outbox_horizon()` takes that lock exclusively, so when it answers every position
 * at or below the horizon is committed or rolled back for good (migration 0002 explains the race
 * this closes: sequence values commit out of order). Reading only up to the horizon, a reader that
 * has passed position N never meets a position below N later — nothing committed is skipped, and
 * only committed rows are ever read.
 */
import { type Database, executeRows } from '@quickeats/db';
import {
  type OrderAction,
  type OrderEventScope,
  type OrderStatus,
  type OrderStreamEvent,
  orderEventType,
  type Role,
} from '@quickeats/domain';
import { sql } from 'drizzle-orm';

/** An event as read from the outbox, with what deciding who may see it needs. */
export interface OutboxEvent {
  event: OrderStreamEvent;
  scope: OrderEventScope;
  /** The position as a number for comparisons (the event carries it as a string). */
  position: bigint;
}

type OutboxRow = {
  position: string;
  order_id: string;
  action: 'create' | OrderAction;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor_role: Role | null;
  version: number;
  created_at: string | Date;
  customer_id: string;
  owner_id: string;
  rider_id: string | null;
};

function toOutboxEvent(row: OutboxRow): OutboxEvent {
  return {
    position: BigInt(row.position),
    event: {
      position: String(row.position),
      type: orderEventType(row.action, row.to_status),
      orderId: row.order_id,
      version: row.version,
      status: row.to_status,
      actorRole: row.actor_role,
      occurredAt: new Date(row.created_at).toISOString(),
    },
    scope: {
      customerId: row.customer_id,
      restaurantOwnerId: row.owner_id,
      riderId: row.rider_id,
      fromStatus: row.from_status,
      toStatus: row.to_status,
    },
  };
}

/** Up to `limit` committed events after `after`, in position order (barrier included: one statement). */
export async function readOutbox(db: Database, after: bigint, limit: number): Promise<OutboxEvent[]> {
  const rows = await executeRows<OutboxRow>(
    db,
    sql`select position::text as position, order_id, action, from_status, to_status, actor_role, version,
               created_at, customer_id, owner_id, rider_id
          from order_outbox_read(${after.toString()}::bigint, ${limit}::int)`,
  );
  return rows.map(toOutboxEvent);
}

/** The highest position at or below which every event is final (0 on an empty log). */
export async function outboxHorizon(db: Database): Promise<bigint> {
  const [row] = await executeRows<{ horizon: string }>(
    db,
    sql`select order_outbox_horizon()::text as horizon`,
  );
  return BigInt(row?.horizon ?? '0');
}

/** The NOTIFY channel the `order_events` insert trigger signals on commit. */
export const ORDER_EVENTS_CHANNEL = 'quickeats_order_events';
