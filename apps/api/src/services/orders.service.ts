/**
 * Order use cases. Every surface (REST, tRPC) calls these; this is where the domain decision,
 * the permission check, the conditional write, the audit event and the side effects meet.
 */
import {
  type Database,
  executeRows,
  menuItems,
  orderEvents,
  orderItems,
  orders,
  payments,
} from '@quickeats/db';
import {
  type Actor,
  type CreateOrderInput,
  DomainError,
  decide,
  expectedVersionFromIfMatch,
  type IfMatch,
  type Order,
  type OrderAction,
  type PaymentProvider,
  PaymentProviderError,
  type Refusal,
  type Transition,
} from '@quickeats/domain';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Logger } from '../logger';
import { applyTransition, loadOrderView, loadSnapshot, type StoredOrder } from './order-store';

export interface OrderServiceDeps {
  db: Database;
  paymentProvider: PaymentProvider;
  logger: Logger;
}

export function refusalError(r: Refusal): DomainError {
  return new DomainError(r.code, r.detail, {
    currentVersion: r.code === 'NOT_FOUND' ? undefined : r.currentVersion,
    currentStatus: r.code === 'NOT_FOUND' ? undefined : r.currentStatus,
    allowedActions: r.code === 'NOT_FOUND' ? undefined : r.allowedActions,
  });
}

const notFound = () => new DomainError('NOT_FOUND', 'Order not found');

/** Provider-side keys are derived from the order: an order can be charged and refunded once, ever. */
export const chargeKey = (orderId: string) => `order:${orderId}:charge`;
export const refundKey = (orderId: string) => `order:${orderId}:refund`;

export async function getOrder(
  deps: Pick<OrderServiceDeps, 'db'>,
  actor: Actor,
  orderId: string,
): Promise<Order> {
  const order = await loadOrderView(deps.db, orderId, actor);
  if (!order) throw notFound();
  return order;
}

export async function createOrder(
  deps: OrderServiceDeps,
  actor: Actor,
  input: CreateOrderInput,
): Promise<Order> {
  if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customers place orders');
  const ids = [...new Set(input.items.map((i) => i.menuItemId))];
  if (ids.length !== input.items.length) {
    throw new DomainError('VALIDATION_FAILED', 'Each menu item may appear once; use quantity', {
      errors: [{ field: 'items', message: 'duplicate menuItemId' }],
    });
  }
  const menu = await deps.db
    .select({
      id: menuItems.id,
      name: menuItems.name,
      priceAmount: menuItems.priceAmount,
      currency: menuItems.currency,
      available: menuItems.available,
    })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, input.restaurantId), inArray(menuItems.id, ids)));
  const byId = new Map(menu.map((m) => [m.id, m]));
  const errors = input.items.flatMap((item, i) => {
    const m = byId.get(item.menuItemId);
    if (!m) return [{ field: `items.${i}.menuItemId`, message: 'not on this restaurant’s menu' }];
    if (!m.available) return [{ field: `items.${i}.menuItemId`, message: 'not available' }];
    return [];
  });
  if (errors.length > 0)
    throw new DomainError('UNPROCESSABLE', 'Some items cannot be ordered from this restaurant', { errors });
  const currencies = new Set(menu.map((m) => m.currency));
  if (currencies.size !== 1)
    throw new DomainError('UNPROCESSABLE', 'Items are priced in different currencies');
  const currency = [...currencies][0]!;
  const lines = input.items.map((item) => ({ ...item, menu: byId.get(item.menuItemId)! }));
  const total = lines.reduce((sum, l) => sum + l.menu.priceAmount * l.quantity, 0);

  const orderId = await deps.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(orders)
      .values({
        customerId: actor.userId,
        restaurantId: input.restaurantId,
        totalAmount: total,
        currency,
        note: input.note ?? null,
      })
      .returning({ id: orders.id });
    const id = created!.id;
    await tx.insert(orderItems).values(
      lines.map((l) => ({
        orderId: id,
        menuItemId: l.menuItemId,
        name: l.menu.name,
        quantity: l.quantity,
        unitPriceAmount: l.menu.priceAmount,
        currency,
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
    });
    return id;
  });
  return (await loadOrderView(deps.db, orderId, actor))!;
}

export interface ActionCommand {
  orderId: string;
  action: OrderAction;
  /** The client's precondition (If-Match, or tRPC `expectedVersion` as a one-version list). */
  ifMatch: Exclude<IfMatch, { kind: 'invalid' }>;
  reason?: string | undefined;
}

/** Decide on the current snapshot; refusals become typed errors (404/403/412/409). */
function decideOrThrow(
  order: StoredOrder | null,
  cmd: ActionCommand,
  actor: Actor,
): { order: StoredOrder; d: Transition } {
  if (!order) throw notFound();
  const d = decide(
    order,
    cmd.action,
    actor,
    expectedVersionFromIfMatch(cmd.ifMatch, order.version) ?? undefined,
  );
  if (!d.ok) throw refusalError(d);
  return { order, d };
}

/**
 * Perform a lifecycle action. The write is conditional on the version the decision was made on:
 * when another writer won the race, the order is re-read and the refusal explains why (412 if
 * the client's version is stale, 409 if the new state forbids the action).
 */
export async function performAction(
  deps: OrderServiceDeps,
  actor: Actor,
  cmd: ActionCommand,
): Promise<Order> {
  // With a concrete expected version a lost race is final (412). With `If-Match: *` the client
  // accepts any current state, so the action is re-decided on the new state (409 if now refused).
  for (let attempt = 0; ; attempt++) {
    const { order, d } = decideOrThrow(await loadSnapshot(deps.db, cmd.orderId), cmd, actor);
    const won = d.effects.includes('charge')
      ? await chargeAndMarkPaid(deps, actor, order, d, cmd)
      : await applyTransition(deps.db, order.id, order.version, d, actor, cmd.reason);
    if (won) {
      if (d.effects.includes('refund')) await refundOrder(deps, order);
      return (await loadOrderView(deps.db, order.id, actor))!;
    }
    if (cmd.ifMatch.kind !== 'any' || attempt >= 2) {
      decideOrThrow(await loadSnapshot(deps.db, cmd.orderId), cmd, actor);
      throw new DomainError('PRECONDITION_FAILED', 'The order changed while the action was applied');
    }
  }
}

/**
 * `pay`: charge at the provider with the order's charge key (a retry or a concurrent pay finds the
 * same charge), then record the payment and the transition in one transaction. If the order
 * changed meanwhile (e.g. cancelled), the charge is refunded — a customer is never left charged
 * for an order that is not paid.
 */
async function chargeAndMarkPaid(
  deps: OrderServiceDeps,
  actor: Actor,
  order: StoredOrder,
  d: Transition,
  cmd: ActionCommand,
): Promise<boolean> {
  const key = chargeKey(order.id);
  let charge: Awaited<ReturnType<PaymentProvider['charge']>>;
  try {
    charge = await deps.paymentProvider.charge({
      idempotencyKey: key,
      orderId: order.id,
      amount: { amount: order.totalAmount, currency: order.currency },
    });
  } catch (err) {
    if (err instanceof PaymentProviderError) {
      deps.logger.warn(
        { err, orderId: order.id, outcomeUnknown: err.outcomeUnknown },
        'payment provider failed',
      );
      throw new DomainError(
        'PAYMENT_PROVIDER_UNAVAILABLE',
        'The payment provider did not confirm the charge; retry with the same Idempotency-Key',
      );
    }
    throw err;
  }
  const won = await deps.db.transaction(async (tx) => {
    const ok = await applyTransition(tx, order.id, order.version, d, actor, cmd.reason);
    if (!ok) return false;
    await tx.insert(payments).values({
      orderId: order.id,
      amount: charge.amount.amount,
      currency: charge.amount.currency,
      status: 'succeeded',
      providerReference: charge.id,
      idempotencyKey: key,
    });
    return true;
  });
  if (!won) {
    // Another pay may have recorded this very charge; only refund when no payment row holds it.
    const [held] = await executeRows<{ n: number }>(
      deps.db,
      sql`select count(*)::int as n from ${payments} where ${payments.providerReference} = ${charge.id}`,
    );
    if (!held?.n) {
      await deps.paymentProvider.refund({
        idempotencyKey: `${key}:compensation`,
        chargeId: charge.id,
        amount: charge.amount,
      });
      deps.logger.warn(
        { orderId: order.id, chargeId: charge.id },
        'refunded a charge whose order changed before it was recorded',
      );
    }
  }
  return won;
}

/**
 * Refund after a committed cancel/reject. The provider refund is keyed by the order, so retries
 * are safe; if it fails, the payment stays `succeeded` on a cancelled order, which
 * `pendingRefunds` finds for a retry.
 */
export async function refundOrder(deps: OrderServiceDeps, order: Pick<StoredOrder, 'id'>): Promise<void> {
  const [payment] = await deps.db.select().from(payments).where(eq(payments.orderId, order.id));
  if (!payment || payment.status === 'refunded') return;
  try {
    const refund = await deps.paymentProvider.refund({
      idempotencyKey: refundKey(order.id),
      chargeId: payment.providerReference,
      amount: { amount: payment.amount, currency: payment.currency },
    });
    await deps.db
      .update(payments)
      .set({ status: 'refunded', refundReference: refund.id, refundedAt: new Date() })
      .where(and(eq(payments.id, payment.id), eq(payments.status, 'succeeded')));
  } catch (err) {
    deps.logger.error({ err, orderId: order.id }, 'refund failed; will be retried by retryPendingRefunds');
  }
}

/** Retry refunds of cancelled/rejected orders whose payment is still `succeeded` (run at start and periodically). */
export async function retryPendingRefunds(deps: OrderServiceDeps): Promise<number> {
  const rows = await executeRows<{ order_id: string }>(
    deps.db,
    sql`select p.order_id from ${payments} p join ${orders} o on o.id = p.order_id
        where p.status = 'succeeded' and o.status in ('cancelled', 'rejected') limit 100`,
  );
  for (const row of rows) await refundOrder(deps, { id: row.order_id });
  return rows.length;
}
