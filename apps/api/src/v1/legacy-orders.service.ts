/**
 * The v1 order service, kept in its legacy design on purpose: it is the baseline that reproduces
 * SPEC problems 1–4 on the real database, and every v2 fix is measured against it. Do not "fix"
 * it here — fixes live in v2. What it does wrong, and why it still does not corrupt the database:
 *
 * 1. Ambiguous state changes: `updateOrder` is one large if/else on the requested `status` that
 *    checks *who* asks, never *from which state* — any state can be written (cancel after delivery).
 * 2. Double charges: `payOrder` charges with a fresh provider idempotency key on every request, so a
 *    client's retry is a second charge. `payments.order_id` is unique, so the legacy code "works" by
 *    upserting: the row keeps only the last charge and the earlier one is orphaned — only the
 *    provider's ledger shows that the customer paid twice.
 * 3. Lost updates: read the order, decide in application memory, write the whole row back with
 *    `WHERE id = $1` only — no version or status guard, no row lock. `version = version + 1` is still
 *    bumped in SQL on every write (v2 clients compare ETags derived from it, so even a lost v1 write
 *    must invalidate them), but nothing *checks* it. `V1_LEGACY_WRITE_DELAY_MS` widens the read→write
 *    window so the race can be demonstrated deterministically.
 * 4. N+1: see `legacy-relations.ts`.
 *
 * Audit log (`order_events`), v1's sloppy version: one event per *status* write, inserted after the
 * update and outside any transaction, with the version the UPDATE returned and the `from` status the
 * handler *read* (stale under concurrency — two racing writes both log `paid → …`). Writes that only
 * touch `note`/`riderId`, or that set `pending` (no lifecycle action reaches it), bump the version
 * but log nothing, leaving gaps. The unique (order_id, version) constraint still holds because every
 * version comes from the atomic increment. v2 keeps the log in lockstep with the row.
 */

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { type Actor, canView, DomainError, type OrderStatus, type PaymentProvider } from '@quickeats/domain';
import { and, desc, eq, getTableColumns, inArray, or, type SQL, sql } from 'drizzle-orm';
import { loadOrderRelations } from './legacy-relations';
import { type V1NestedOrder, type V1Order, v1NestedOrder, v1Order } from './representation';
import type { V1CreateOrder, V1ListQuery, V1UpdateOrder } from './schemas';
import { actionReaching } from './successor';

export interface LegacyOrdersDeps {
  db: Database;
  paymentProvider: PaymentProvider;
  now: () => Date;
  /** Demo/test aid (`V1_LEGACY_WRITE_DELAY_MS`): pause between the read and the write. */
  writeDelayMs: number;
}

type OrderRow = typeof orders.$inferSelect;
type OrderWithOwner = OrderRow & { restaurantOwnerId: string };

const NOT_FOUND = 'Order not found';
const MAX_TOTAL = 2_147_483_647;

async function readWindow(deps: LegacyOrdersDeps): Promise<void> {
  if (deps.writeDelayMs > 0) await sleep(deps.writeDelayMs);
}

/** Plain read of the order and its restaurant's owner: no `FOR UPDATE`, nothing held. */
async function readOrder(db: Database, id: string): Promise<OrderWithOwner | null> {
  const [row] = await db
    .select({ ...getTableColumns(orders), restaurantOwnerId: restaurants.ownerId })
    .from(orders)
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(eq(orders.id, id));
  return row ?? null;
}

async function readVisibleOrder(db: Database, id: string, actor: Actor): Promise<OrderWithOwner> {
  const order = await readOrder(db, id);
  // Existence is not leaked: an order the caller may not see is simply not found.
  if (!order || !canView(order, actor)) throw new DomainError('NOT_FOUND', NOT_FOUND);
  return order;
}

/** The same visibility rule as `canView`, as a WHERE clause. */
function visibleTo(db: Database, actor: Actor): SQL | undefined {
  switch (actor.role) {
    case 'customer':
      return eq(orders.customerId, actor.userId);
    case 'restaurant':
      return inArray(
        orders.restaurantId,
        db.select({ id: restaurants.id }).from(restaurants).where(eq(restaurants.ownerId, actor.userId)),
      );
    case 'rider':
      return or(eq(orders.riderId, actor.userId), eq(orders.status, 'ready'));
    case 'admin':
      return undefined;
  }
}

/** `GET /orders`: one query for the page, then k more per order (1 + N·k statements). */
export async function listOrders(
  deps: LegacyOrdersDeps,
  actor: Actor,
  query: V1ListQuery,
): Promise<V1NestedOrder[]> {
  const rows = await deps.db
    .select()
    .from(orders)
    .where(and(visibleTo(deps.db, actor), query.status ? eq(orders.status, query.status) : undefined))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(query.limit)
    .offset(query.offset);
  const out: V1NestedOrder[] = [];
  for (const row of rows) out.push(v1NestedOrder(row, await loadOrderRelations(deps.db, row.id), actor));
  return out;
}

/** `GET /orders/:id`: the order, then k queries for its relations. */
export async function getOrder(deps: LegacyOrdersDeps, actor: Actor, id: string): Promise<V1NestedOrder> {
  const { restaurantOwnerId: _owner, ...row } = await readVisibleOrder(deps.db, id, actor);
  return v1NestedOrder(row, await loadOrderRelations(deps.db, id), actor);
}

/** `POST /orders`: prices the items from the restaurant's menu and stores the order (version 1). */
export async function createOrder(
  deps: LegacyOrdersDeps,
  actor: Actor,
  input: V1CreateOrder,
): Promise<V1NestedOrder> {
  if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customers place orders');
  const [restaurant] = await deps.db
    .select({ id: restaurants.id, currency: restaurants.currency })
    .from(restaurants)
    .where(eq(restaurants.id, input.restaurantId));
  if (!restaurant) throw new DomainError('VALIDATION_FAILED', 'restaurantId: no such restaurant');
  const menu = await deps.db
    .select()
    .from(menuItems)
    .where(
      and(
        eq(menuItems.restaurantId, restaurant.id),
        inArray(
          menuItems.id,
          input.items.map((i) => i.menuItemId),
        ),
      ),
    );
  const byId = new Map(menu.map((m) => [m.id, m]));
  const lines = input.items.map((item, index) => {
    const m = byId.get(item.menuItemId);
    if (!m)
      throw new DomainError('VALIDATION_FAILED', `items.${index}.menuItemId: not on this restaurant's menu`);
    if (!m.available) throw new DomainError('VALIDATION_FAILED', `items.${index}.menuItemId: not available`);
    return { menuItem: m, quantity: item.quantity };
  });
  const total = lines.reduce((sum, l) => sum + l.menuItem.priceAmount * l.quantity, 0);
  // `orders.total_amount` is a 32-bit integer: refuse rather than let PostgreSQL answer a 500.
  if (total > MAX_TOTAL) throw new DomainError('VALIDATION_FAILED', `items: the total exceeds ${MAX_TOTAL}`);

  const id = randomUUID();
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(orders).values({
      id,
      customerId: actor.userId,
      restaurantId: restaurant.id,
      status: 'pending',
      version: 1,
      totalAmount: total,
      currency: restaurant.currency,
      note: input.note ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await tx.insert(orderItems).values(
      lines.map((l) => ({
        orderId: id,
        menuItemId: l.menuItem.id,
        name: l.menuItem.name,
        quantity: l.quantity,
        unitPriceAmount: l.menuItem.priceAmount,
        currency: l.menuItem.currency,
      })),
    );
    await tx.insert(orderEvents).values({
      orderId: id,
      action: 'create',
      fromStatus: null,
      toStatus: 'pending',
      actorId: actor.userId,
      actorRole: actor.role,
      version: 1,
      createdAt: now,
    });
  });
  return getOrder(deps, actor, id);
}

/**
 * Write the in-memory order back, whole, guarded by nothing but its id (the lost update), and bump
 * the version in SQL. Returns the row as stored.
 */
async function saveOrder(deps: LegacyOrdersDeps, order: OrderWithOwner): Promise<OrderRow> {
  const [saved] = await deps.db
    .update(orders)
    .set({
      status: order.status,
      note: order.note,
      riderId: order.riderId,
      version: sql`${orders.version} + 1`,
      updatedAt: deps.now(),
    })
    .where(eq(orders.id, order.id))
    .returning();
  if (!saved) throw new DomainError('NOT_FOUND', NOT_FOUND);
  return saved;
}

/** The sloppy audit entry (see the module header): after the write, outside a transaction, stale `from`. */
async function logStatusWrite(
  deps: LegacyOrdersDeps,
  actor: Actor,
  from: OrderStatus,
  saved: OrderRow,
): Promise<void> {
  const action = actionReaching(saved.status);
  if (from === saved.status || !action) return;
  await deps.db.insert(orderEvents).values({
    orderId: saved.id,
    action,
    fromStatus: from,
    toStatus: saved.status,
    actorId: actor.userId,
    actorRole: actor.role,
    version: saved.version,
    createdAt: deps.now(),
  });
}

/** Refund the order's payment if it has a live one (fresh provider key: a retry refunds twice). */
async function refundIfPaid(deps: LegacyOrdersDeps, orderId: string): Promise<void> {
  const [payment] = await deps.db.select().from(payments).where(eq(payments.orderId, orderId));
  if (payment?.status !== 'succeeded') return;
  const refund = await deps.paymentProvider.refund({
    idempotencyKey: `v1-refund-${randomUUID()}`,
    chargeId: payment.providerReference,
    amount: { amount: payment.amount, currency: payment.currency },
  });
  await deps.db
    .update(payments)
    .set({ status: 'refunded', refundReference: refund.id, refundedAt: deps.now() })
    .where(eq(payments.id, payment.id));
}

async function assertRider(db: Database, riderId: string): Promise<void> {
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, riderId));
  if (user?.role !== 'rider') throw new DomainError('VALIDATION_FAILED', 'riderId: no such rider');
}

const forbidden = (what: string) => new DomainError('FORBIDDEN', `A ${what} may not do this`);

/**
 * `PUT /orders/:id` — the legacy handler, verbatim in spirit: read, one big if/else on `status`
 * (plus `note` and `riderId`) that checks roles but never the current state, then write back.
 */
export async function updateOrder(
  deps: LegacyOrdersDeps,
  actor: Actor,
  id: string,
  body: V1UpdateOrder,
): Promise<V1Order> {
  const order = await readVisibleOrder(deps.db, id, actor);
  const before = order.status;
  const role = actor.role;
  let refund = false;

  if (body.status === undefined) {
    // no status change requested
  } else if (body.status === 'cancelled') {
    if (role === 'rider') throw forbidden(role);
    order.status = 'cancelled';
    refund = true;
  } else if (body.status === 'accepted' || body.status === 'ready') {
    if (role !== 'restaurant' && role !== 'admin') throw forbidden(role);
    order.status = body.status;
  } else if (body.status === 'rejected') {
    if (role !== 'restaurant' && role !== 'admin') throw forbidden(role);
    order.status = 'rejected';
    refund = true;
  } else if (body.status === 'picked_up') {
    if (role !== 'rider' && role !== 'admin') throw forbidden(role);
    if (role === 'rider') order.riderId = actor.userId;
    order.status = 'picked_up';
  } else if (body.status === 'delivered') {
    if (role !== 'rider' && role !== 'admin') throw forbidden(role);
    order.status = 'delivered';
  } else if (body.status === 'paid') {
    // Customers pay through POST /payment; admins mark cash payments by hand.
    if (role !== 'admin') throw forbidden(role);
    order.status = 'paid';
  } else {
    // 'pending': an admin "reopening" an order.
    if (role !== 'admin') throw forbidden(role);
    order.status = 'pending';
  }

  if (body.note !== undefined) {
    if (role !== 'customer' && role !== 'admin') throw forbidden(role);
    order.note = body.note;
  }
  if (body.riderId !== undefined) {
    if (role !== 'restaurant' && role !== 'admin') throw forbidden(role);
    if (body.riderId !== null) await assertRider(deps.db, body.riderId);
    order.riderId = body.riderId;
  }

  await readWindow(deps);
  if (refund) await refundIfPaid(deps, order.id);
  const saved = await saveOrder(deps, order);
  await logStatusWrite(deps, actor, before, saved);
  return v1Order(saved);
}

export interface V1PaymentResult {
  order: V1Order;
  payment: { id: string; amount: number; currency: string; status: string; providerReference: string };
}

/**
 * `POST /orders/:id/payment` — charges the order total through the payment provider with a new
 * provider idempotency key per request (a retry is a second charge), then upserts the payment row.
 */
export async function payOrder(deps: LegacyOrdersDeps, actor: Actor, id: string): Promise<V1PaymentResult> {
  const order = await readVisibleOrder(deps.db, id, actor);
  if (actor.role !== 'customer' || order.customerId !== actor.userId)
    throw new DomainError('FORBIDDEN', "Only the order's customer pays for it");
  // The one state check v1 ever had: a deny-list, so paying an already-paid order charges again.
  if (order.status === 'cancelled' || order.status === 'rejected')
    throw new DomainError('INVALID_TRANSITION', `Order is ${order.status}`);
  const before = order.status;

  await readWindow(deps);
  const idempotencyKey = `v1-${randomUUID()}`;
  const charge = await deps.paymentProvider.charge({
    idempotencyKey,
    orderId: order.id,
    amount: { amount: order.totalAmount, currency: order.currency },
  });
  // `payments.order_id` is unique; v1 "handled" the violations a retry raised by upserting, so the
  // row now names the latest charge and the earlier one is referenced by nothing in our database.
  const [payment] = await deps.db
    .insert(payments)
    .values({
      orderId: order.id,
      amount: order.totalAmount,
      currency: order.currency,
      status: 'succeeded',
      providerReference: charge.id,
      idempotencyKey,
    })
    .onConflictDoUpdate({
      target: payments.orderId,
      set: {
        amount: order.totalAmount,
        currency: order.currency,
        status: 'succeeded',
        providerReference: charge.id,
        idempotencyKey,
        refundReference: null,
        refundedAt: null,
        createdAt: deps.now(),
      },
    })
    .returning();
  if (order.status === 'pending') order.status = 'paid';
  const saved = await saveOrder(deps, order);
  await logStatusWrite(deps, actor, before, saved);
  return {
    order: v1Order(saved),
    payment: {
      id: payment!.id,
      amount: payment!.amount,
      currency: payment!.currency,
      status: payment!.status,
      providerReference: payment!.providerReference,
    },
  };
}
