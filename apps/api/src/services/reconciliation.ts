/**
 * Orphan-charge reconciliation (SPEC "When dependencies fail"): a pay that reached the provider
 * while its process or the database died before the commit leaves a charge no payment row records,
 * and the order `pending`. Nothing else would notice unless the customer retried or cancelled, so
 * the maintenance loop asks the provider — by the order's charge key — about orders that could hold
 * such a charge, and settles each one:
 * - still `pending`: record the payment and move the order to `paid`, as the pay would have;
 * - cancelled or rejected meanwhile: record the charge and refund it (the cancel's own lookup may
 *   have failed while the provider was down).
 *
 * Candidates: orders with no payment row that are `pending` for longer than the Idempotency-Key
 * lease (a pay still running holds the lease; older than that, it died), or cancelled/rejected, in
 * both cases changed within RECONCILE_WINDOW_HOURS (a charge is reconciled within hours or not at
 * all: abandoned carts are not asked about forever). Safe on any number of processes at once: the
 * transition is conditional on the version and the payment row is unique per order.
 *
 * A pending order's charge is recorded only once it is older than two leases (the charge's own
 * time at the provider; the order's age says nothing of when its pay began): one for the pay that
 * made it to record it, one for its client, told by the 409 to come back when that lease ends, to
 * retry with its key — the retry takes the pay over and gets the pay's own answer. Recorded
 * earlier, the charge made the order `paid` under the retry, which then got 412 instead of the
 * success its key promises (seen in the topology chaos test). Reconciliation is for the clients
 * that never come back.
 */
import { executeRows, payments } from '@quickeats/db';
import { type Actor, type Charge, decide } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { loadSnapshot, transitionOrder } from './order-store';
import { chargeKey, type OrderServiceDeps, paymentRow, refundUnrecorded } from './orders.service';

export const RECONCILE_WINDOW_HOURS = 24;
/** Provider lookups per maintenance pass. */
export const RECONCILE_BATCH = 100;

export interface ReconcileOutcome {
  /** Orders looked up at the provider. */
  checked: number;
  /** Pending orders whose charge was found and recorded: now `paid`. */
  paid: number;
  /** Cancelled/rejected orders whose charge was found: recorded and refunded. */
  refunded: number;
  /** Pending orders whose charge is younger than two leases: left to a retry of the pay, for now. */
  deferred: number;
}

/** Whether a pending order's charge is old enough to record (see the header): two leases. */
export function chargeSettleable(charge: Charge, leaseSeconds: number, now = Date.now()): boolean {
  const made = Date.parse(charge.createdAt);
  // A provider that gives no readable time: its charge is settled as before (never left unrecorded).
  return !Number.isFinite(made) || now - made >= 2 * leaseSeconds * 1000;
}

/**
 * Where the previous pass of this process stopped: candidates stay candidates (an abandoned cart is
 * pending with no payment for the whole window), so each pass continues after the last one it
 * checked and wraps around, reaching every candidate instead of re-asking about the first batch.
 */
export interface ReconcileCursor {
  after?: { updatedAt: string; id: string } | undefined;
}

export async function reconcileOrphanCharges(
  deps: OrderServiceDeps,
  options: { leaseSeconds: number; cursor?: ReconcileCursor },
): Promise<ReconcileOutcome> {
  const cursor = options.cursor ?? {};
  const after = cursor.after;
  const rows = await executeRows<{ id: string; status: string; updated_at: string }>(
    deps.db,
    sql`select o.id, o.status, o.updated_at::text as updated_at from orders o
         where not exists (select 1 from ${payments} p where p.order_id = o.id)
           and o.updated_at > now() - make_interval(hours => ${RECONCILE_WINDOW_HOURS})
           and (o.status in ('cancelled', 'rejected')
                or (o.status = 'pending' and o.updated_at < now() - make_interval(secs => ${options.leaseSeconds})))
           ${after ? sql`and (o.updated_at, o.id) > (${after.updatedAt}::timestamptz, ${after.id}::uuid)` : sql``}
         order by o.updated_at, o.id
         limit ${RECONCILE_BATCH}`,
  );
  const last = rows.at(-1);
  cursor.after =
    rows.length === RECONCILE_BATCH && last ? { updatedAt: last.updated_at, id: last.id } : undefined;
  const outcome: ReconcileOutcome = { checked: 0, paid: 0, refunded: 0, deferred: 0 };
  for (const row of rows) {
    // One unreachable provider fails the pass (the loop logs it and tries again next time).
    const charge = await deps.paymentProvider.findChargeByKey(chargeKey(row.id));
    outcome.checked++;
    if (charge?.status !== 'succeeded') continue;
    if (row.status === 'pending' && !chargeSettleable(charge, options.leaseSeconds)) {
      outcome.deferred++;
      continue;
    }
    if (row.status === 'pending' && (await recordAsPaid(deps, row.id, charge))) {
      outcome.paid++;
      deps.logger.warn({ orderId: row.id, chargeId: charge.id }, 'reconciled an orphan charge: order paid');
      continue;
    }
    // Cancelled/rejected (or it left `pending` just now): the money goes back.
    const snapshot = await loadSnapshot(deps.db, row.id);
    if (snapshot && snapshot.status !== 'pending' && snapshot.status !== 'paid') {
      await refundUnrecorded(deps, { id: row.id }, charge);
      outcome.refunded++;
      deps.logger.warn({ orderId: row.id, chargeId: charge.id }, 'reconciled an orphan charge: refunded');
    }
  }
  return outcome;
}

/** The pay's own write, on behalf of the order's customer: conditional transition + payment row. */
async function recordAsPaid(deps: OrderServiceDeps, orderId: string, charge: Charge): Promise<boolean> {
  const order = await loadSnapshot(deps.db, orderId);
  if (!order || order.status !== 'pending') return false;
  const customer: Actor = { userId: order.customerId, role: 'customer' };
  if (!decide(order, 'pay', customer).ok) return false;
  // The transition and its payment row: one statement, both or neither.
  const { after } = await transitionOrder(
    deps.db,
    orderId,
    order.version,
    'pay',
    customer,
    'reconciled: charge found at the provider',
    { payment: paymentRow(orderId, charge) },
  );
  return after !== null;
}
