/**
 * Order use cases. Every surface (REST, tRPC) calls these; this is where the domain decision,
 * the permission check, the conditional write, the audit event and the side effects meet.
 *
 * Money moves exactly once per order. The provider-side idempotency keys are derived from the
 * ORDER (`order:<id>:charge`, `order:<id>:refund`), not from the client's Idempotency-Key: that key
 * guards one HTTP request and its stored response, while the order key guards the money itself —
 * so a retry with the same client key, a retry with a fresh key after a crash, a tRPC call racing a
 * REST call, and a process taking over an expired lease all reach the one charge the order can have.
 * A key per client request would charge twice as soon as a client retried with a new key after
 * its first attempt charged and died unrecorded. The client's key is still honoured end to end:
 * it is what makes the retry reach this code with the same request, and what replays its answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Database, executeRows, orders, payments, pgErrorOf, type Tx } from '@quickeats/db';
import {
  type Actor,
  type Charge,
  type CreateOrderInput,
  DomainError,
  decide,
  expectedVersionFromIfMatch,
  type IfMatch,
  ifMatchFailedDetail,
  type Order,
  type OrderAction,
  OUTAGE_RETRY_AFTER_SECONDS,
  type PaymentProvider,
  PaymentProviderError,
  type Refusal,
  rulesFor,
  type Transition,
} from '@quickeats/domain';
import { inSpan } from '@quickeats/telemetry';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { FoundRecord } from '../idempotency/store';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import {
  type FoldedRecord,
  insertOrder,
  loadOrderView,
  loadSnapshot,
  type MenuLine,
  type OrderRequest,
  type PaymentRow,
  type StoredOrder,
  type TransitionResult,
  transitionOrder,
  type WriteResult,
} from './order-store';

export interface OrderServiceDeps {
  db: Database;
  paymentProvider: PaymentProvider;
  logger: Logger;
  /** Counts refund failures (`NO_METRICS` or absent: not counted). */
  metrics?: Metrics | undefined;
  /** The refund retry policy (Config `refunds`); absent → `REFUND_RETRY`. */
  config?: { refunds?: RefundRetryPolicy | undefined } | undefined;
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

/**
 * Runs inside the transaction that commits a change, after the write, with the order exactly as the
 * caller will be answered: the idempotency layer stores its response there, so the effect and the
 * stored response commit together or not at all. Throwing rolls the change back.
 */
export type CommitHook = ((tx: Tx, order: Order) => Promise<void>) & {
  /**
   * Set when the write statement can store the key's record itself (the lease's row, by the store's
   * `foldable`; a key claimed by the write, `WriteClaim`): a single-statement write (a transition, a
   * create) then carries `record` instead of opening a transaction for the hook, calls `committed`
   * with the answer, and throws `lost(found)` when the key was not this request's to record
   * (`found`: the live record the statement read; absent when a concurrent execution inserted first).
   */
  fold?: { record: FoldedRecord; committed(order: Order): void; lost(found?: FoundRecord): Error };
};

export interface WriteOptions {
  onCommit?: CommitHook | undefined;
}

export interface ActionOptions extends WriteOptions {
  /**
   * The order's snapshot as already read with the request's Idempotency-Key lease (`snapshotAlong`;
   * null: no such order), used instead of a read of its own when the action reads first.
   */
  snapshot?: StoredOrder | null | undefined;
}

/**
 * Provider calls whose outcome is unknown (timeout, dropped connection, 5xx) are retried with the
 * same key, so that the client gets a definite answer while we still hold its Idempotency-Key lease:
 * the provider deduplicates, so a retry can only find the charge or make the first one. Worst case
 * with the default 5 s provider timeout: 4 × 5 s + 0.7 s of backoff, inside the 30 s lease.
 */
export const PROVIDER_ATTEMPTS = 4;
const backoffMs = (attempt: number) => 100 * 2 ** (attempt - 1);

async function withProviderRetries<T>(
  deps: Pick<OrderServiceDeps, 'logger'>,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof PaymentProviderError) || !err.outcomeUnknown || attempt >= PROVIDER_ATTEMPTS)
        throw err;
      deps.logger.warn(
        { err, attempt, what },
        'payment provider outcome unknown; retrying with the same key',
      );
      await sleep(backoffMs(attempt));
    }
  }
}

export function getOrder(deps: Pick<OrderServiceDeps, 'db'>, actor: Actor, orderId: string): Promise<Order> {
  return inSpan('order.get', { attributes: { 'order.id': orderId, 'enduser.role': actor.role } }, () =>
    readOrder(deps, actor, orderId),
  );
}

async function readOrder(deps: Pick<OrderServiceDeps, 'db'>, actor: Actor, orderId: string): Promise<Order> {
  const order = await loadOrderView(deps.db, orderId, actor);
  if (!order) throw notFound();
  return order;
}

export function createOrder(
  deps: OrderServiceDeps,
  actor: Actor,
  input: CreateOrderInput,
  options: WriteOptions = {},
): Promise<Order> {
  return inSpan('order.create', { attributes: { 'enduser.role': actor.role } }, () =>
    placeOrder(deps, actor, input, options),
  );
}

async function placeOrder(
  deps: OrderServiceDeps,
  actor: Actor,
  input: CreateOrderInput,
  options: WriteOptions,
): Promise<Order> {
  if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customers place orders');
  const ids = [...new Set(input.items.map((i) => i.menuItemId))];
  if (ids.length !== input.items.length) {
    throw new DomainError('VALIDATION_FAILED', 'Each menu item may appear once; use quantity', {
      errors: [{ field: 'items', message: 'duplicate menuItemId' }],
    });
  }
  // One statement prices the lines from the menu and inserts the order only if every line can be
  // ordered (a key's live record shuts it first: its replay is answered from that record).
  const request: OrderRequest = {
    customerId: actor.userId,
    restaurantId: input.restaurantId,
    note: input.note ?? null,
    lines: input.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
  };
  const { after, refusedMenu } = await writeWithHook(deps.db, options.onCommit, (db, record) =>
    insertOrder(db, actor, request, record),
  );
  if (after) return after;
  throw refusedOrder(input, refusedMenu ?? []);
}

/** Why the create statement inserted nothing: the lines the menu it read refuses, by field. */
function refusedOrder(input: CreateOrderInput, menu: MenuLine[]): DomainError {
  const byId = new Map(menu.map((m) => [m.id, m]));
  const errors = input.items.flatMap((item, i) => {
    const m = byId.get(item.menuItemId);
    if (!m) return [{ field: `items.${i}.menuItemId`, message: 'not on this restaurant’s menu' }];
    if (!m.available) return [{ field: `items.${i}.menuItemId`, message: 'not available' }];
    return [];
  });
  if (errors.length > 0)
    return new DomainError('UNPROCESSABLE', 'Some items cannot be ordered from this restaurant', { errors });
  if (new Set(menu.map((m) => m.currency)).size > 1)
    return new DomainError('UNPROCESSABLE', 'Items are priced in different currencies');
  throw new Error('The create statement refused an order its menu rows allow');
}

/**
 * Run a single write statement with the caller's commit hook. Without a hook, or with one the
 * statement can fold (`hook.fold`), it is that one statement: it also writes the key's record, the
 * answer is handed to `fold.committed`, and a key that was not this request's to record throws
 * `fold.lost()` (with the live record the statement found, or after another execution's insert won
 * the unique index). Any other hook runs with the statement in one transaction.
 */
async function writeWithHook<R extends WriteResult>(
  db: Database,
  hook: CommitHook | undefined,
  write: (db: Database | Tx, record?: FoldedRecord) => Promise<R>,
): Promise<R> {
  if (hook && !hook.fold) {
    return db.transaction(async (tx) => {
      const result = await write(tx);
      if (result.after) await hook(tx, result.after);
      return result;
    });
  }
  const fold = hook?.fold;
  let result: R;
  try {
    result = await write(db, fold?.record);
  } catch (err) {
    if (fold && pgErrorOf(err)?.constraint === 'idempotency_keys_scope_key') throw fold.lost();
    throw err;
  }
  if (fold && result.leaseLost) throw fold.lost(result.found);
  if (fold && result.after) fold.committed(result.after);
  return result;
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
  if (!d.ok) {
    // The decision only sees the one version it was given; the 412 explains what was actually sent.
    if (d.code === 'PRECONDITION_FAILED')
      throw refusalError({ ...d, detail: ifMatchFailedDetail(cmd.ifMatch, order.version) });
    throw refusalError(d);
  }
  return { order, d };
}

/** The one version the client holds, when it named exactly one (the write needs no read first). */
function singleVersion(ifMatch: ActionCommand['ifMatch']): number | null {
  return ifMatch.kind === 'versions' && ifMatch.versions.length === 1 ? ifMatch.versions[0]! : null;
}

/**
 * The action is tried as ONE statement (see `performAction`): its client named a single version and
 * no rule of the action charges for this role. The idempotency layers let such a request's key be
 * claimed by that statement (`WriteClaim`) instead of a lease taken first.
 */
export function writesInOneStatement(
  action: OrderAction,
  actor: Actor,
  ifMatch: ActionCommand['ifMatch'],
): boolean {
  return singleVersion(ifMatch) !== null && !chargesOnAnyRule(action, actor);
}

/**
 * Perform a lifecycle action. The write is conditional on the version the decision was made on:
 * when another writer won the race, the refusal explains why (412 if the client's version is stale,
 * 409 if the new state forbids the action).
 *
 * Round trips: when the client named its version and the action charges nothing, the write is tried
 * straight away — one statement decides (in SQL, from the lifecycle table), writes, appends the
 * event and returns the answer, or returns the order as it was, which `decide()` turns into the
 * refusal. Otherwise the snapshot is read first (`If-Match: *`, a list of versions, or `pay`, whose
 * charge must precede the write): two — with a leased Idempotency-Key, the read rides on the lease's
 * statement where the store allows (`options.snapshot`), so a keyed pay is two in all.
 */
export function performAction(
  deps: OrderServiceDeps,
  actor: Actor,
  cmd: ActionCommand,
  options: ActionOptions = {},
): Promise<Order> {
  return inSpan(
    `order.${cmd.action}`,
    { attributes: { 'order.id': cmd.orderId, 'order.action': cmd.action, 'enduser.role': actor.role } },
    () => applyAction(deps, actor, cmd, options),
  );
}

async function applyAction(
  deps: OrderServiceDeps,
  actor: Actor,
  cmd: ActionCommand,
  options: ActionOptions,
): Promise<Order> {
  const known = singleVersion(cmd.ifMatch);
  const oneStatement = writesInOneStatement(cmd.action, actor, cmd.ifMatch);
  // With a concrete expected version a lost race is final (412). With `If-Match: *` the client
  // accepts any current state, so the action is re-decided on the new state (409 if now refused).
  for (let attempt = 0; ; attempt++) {
    let snapshot: StoredOrder | null = null;
    let charge: Charge | null = null;
    let expected = known;
    if (attempt > 0 || !oneStatement) {
      // The first read may have come with the key's lease; a retry after a lost race reads afresh.
      const prefetched = attempt === 0 ? options.snapshot : undefined;
      const order = prefetched !== undefined ? prefetched : await loadSnapshot(deps.db, cmd.orderId);
      const decided = decideOrThrow(order, cmd, actor);
      snapshot = decided.order;
      expected = decided.order.version;
      charge = decided.d.effects.includes('charge') ? await chargeOrder(deps, decided.order) : null;
    }
    const { before, after } = await writeTransition(deps, actor, cmd, expected!, charge, options);
    if (after && before) {
      // The statement applied the rule `decide()` picks on the order as it was: its effects follow.
      const d = decide(before, cmd.action, actor, before.version);
      if (d.ok && d.effects.includes('refund')) await refundOrder(deps, before);
      // A pending order has no payment, but a pay may have charged and died before recording it:
      // the provider knows the order's charge key, so a cancel never leaves money taken behind.
      else if (d.ok && d.action === 'cancel' && d.from === 'pending')
        await refundUnrecordedCharge(deps, before);
      return after;
    }
    // The charge was made but the order left `pending` before it was recorded (a racing cancel).
    if (charge && snapshot) await refundUnrecorded(deps, snapshot, charge);
    // Nothing written: the order as the statement saw it explains why (404/403/412/409)...
    decideOrThrow(before, cmd, actor);
    // ...unless it allowed the action and a concurrent writer changed the order in between.
    if (cmd.ifMatch.kind !== 'any' || attempt >= 2) {
      decideOrThrow(await loadSnapshot(deps.db, cmd.orderId), cmd, actor);
      throw new DomainError('PRECONDITION_FAILED', 'The order changed while the action was applied');
    }
  }
}

const chargesOnAnyRule = (action: OrderAction, actor: Actor) =>
  rulesFor(action, actor.role).some((r) => r.effects.includes('charge'));

/**
 * The conditional transition — with the payment row for a charge and, when the key's record can be
 * written by the statement itself (`hook.fold`), the Idempotency-Key record — in ONE statement; a
 * commit hook that cannot be folded runs with it in one transaction.
 */
async function writeTransition(
  deps: OrderServiceDeps,
  actor: Actor,
  cmd: ActionCommand,
  expectedVersion: number,
  charge: Charge | null,
  options: WriteOptions,
): Promise<TransitionResult> {
  const payment = charge ? paymentRow(cmd.orderId, charge) : undefined;
  // The change, its event, the payment (and a foldable hook's idempotency record): one statement.
  return writeWithHook(deps.db, options.onCommit, (db, record) =>
    transitionOrder(db, cmd.orderId, expectedVersion, cmd.action, actor, cmd.reason, { record, payment }),
  );
}

/**
 * `pay`: charge at the provider with the order's charge key (a retry, a concurrent pay or a process
 * taking over a crashed one finds the same charge); the caller then records it with the transition.
 */
async function chargeOrder(deps: OrderServiceDeps, order: StoredOrder): Promise<Charge> {
  try {
    return await withProviderRetries(deps, 'charge', () =>
      deps.paymentProvider.charge({
        idempotencyKey: chargeKey(order.id),
        orderId: order.id,
        amount: { amount: order.totalAmount, currency: order.currency },
      }),
    );
  } catch (err) {
    if (err instanceof PaymentProviderError) {
      deps.logger.warn(
        { err, orderId: order.id, outcomeUnknown: err.outcomeUnknown },
        'payment provider failed',
      );
      // A 5xx: the idempotency layer releases the key, and the retry charges with the same order key.
      throw new DomainError(
        'PAYMENT_PROVIDER_UNAVAILABLE',
        'The payment provider did not confirm the charge; retry with the same Idempotency-Key',
        { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
      );
    }
    throw err;
  }
}

/** The payment row recording a provider charge for an order. */
export function paymentRow(
  orderId: string,
  charge: Charge,
): PaymentRow & { orderId: string; status: 'succeeded' } {
  return {
    orderId,
    amount: charge.amount.amount,
    currency: charge.amount.currency,
    status: 'succeeded' as const,
    providerReference: charge.id,
    idempotencyKey: charge.idempotencyKey,
  };
}

/**
 * A charge the order's row does not hold (its pay lost to a cancel, or died before recording it):
 * record it against the order, then refund it through the normal path — so a refund that fails now
 * is retried by `retryPendingRefunds`, which looks for exactly such rows. If a payment row already
 * exists, another pay recorded this very charge (the keys are per order) and the order is paid with
 * it: nothing to refund.
 */
export async function refundUnrecorded(
  deps: OrderServiceDeps,
  order: Pick<StoredOrder, 'id'>,
  charge: Charge,
) {
  const inserted = await deps.db
    .insert(payments)
    .values(paymentRow(order.id, charge))
    .onConflictDoNothing()
    .returning({ id: payments.id });
  if (inserted.length === 0) return;
  deps.logger.warn({ orderId: order.id, chargeId: charge.id }, 'refunding a charge the order never recorded');
  await refundOrder(deps, order);
}

/** After a cancel from `pending`: refund the charge of a pay that died before recording it, if any. */
async function refundUnrecordedCharge(deps: OrderServiceDeps, order: Pick<StoredOrder, 'id'>) {
  let charge: Charge | null;
  try {
    charge = await withProviderRetries(deps, 'find charge', () =>
      deps.paymentProvider.findChargeByKey(chargeKey(order.id)),
    );
  } catch (err) {
    deps.logger.error({ err, orderId: order.id }, 'could not ask the provider for an unrecorded charge');
    return;
  }
  if (charge?.status === 'succeeded') await refundUnrecorded(deps, order, charge);
}

/**
 * Refund retries (SPEC "When dependencies fail"). A refund that fails is retried by the maintenance
 * loop after an exponential backoff — `baseDelayMs` after the first failure, doubling after each
 * further one, never more than `maxDelayMs` — and after `maxAttempts` failed attempts it stops:
 * the payment records when it needed attention (`refund_needs_attention_at`, with the attempts and
 * the last error beside it), the process that gave up logs it once at error level and counts it
 * (`quickeats_refund_failures_total{outcome="needs_attention"}`), and no process asks the provider
 * about it again (README "What happens when PostgreSQL, Redis or the provider fails" has the query
 * an operator runs to list them).
 * The defaults (8 attempts, 1 min doubling to at most 1 h) stop a refund about two hours after it
 * first failed; REFUND_MAX_ATTEMPTS / REFUND_RETRY_BASE_MS / REFUND_RETRY_MAX_DELAY_MS change them.
 */
export interface RefundRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const REFUND_RETRY: RefundRetryPolicy = { maxAttempts: 8, baseDelayMs: 60_000, maxDelayMs: 3_600_000 };

/** The wait after the `failedAttempts`-th failure (1-based). */
export const refundRetryDelayMs = (failedAttempts: number, policy: RefundRetryPolicy = REFUND_RETRY) =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));

/**
 * How long a maintenance pass holds the refunds it picked (so that another process does not retry
 * them at the same time): longer than one attempt can take (4 provider calls of at most 5 s each by
 * default). A process that dies meanwhile leaves them to be picked again after it.
 */
const REFUND_CLAIM_SECONDS = 300;
/** A refund that never failed (its cancel is refunding it right now) is left alone this long. */
const REFUND_INLINE_GRACE_SECONDS = 60;

const policyOf = (deps: OrderServiceDeps) => deps.config?.refunds ?? REFUND_RETRY;

/**
 * Refund after a committed cancel/reject. The provider refund is keyed by the order, so retries
 * are safe; if it fails, the payment stays `succeeded` on a cancelled order with its failure
 * recorded (attempts, next attempt, last error), and `retryPendingRefunds` retries it when due.
 * A seeded payment (demo data no provider ever charged) is refunded in the database only.
 * True when the payment is refunded now.
 */
export async function refundOrder(deps: OrderServiceDeps, order: Pick<StoredOrder, 'id'>): Promise<boolean> {
  const [payment] = await deps.db.select().from(payments).where(eq(payments.orderId, order.id));
  if (!payment) return false;
  if (payment.status === 'refunded') return true;
  if (payment.refundNeedsAttentionAt) return false;
  if (payment.seeded) {
    await markRefunded(deps, payment.id, `re_seed_${payment.id}`);
    deps.logger.info(
      { orderId: order.id },
      'refunded a seeded payment in the database only (no provider ever charged it)',
    );
    return true;
  }
  let refundId: string;
  try {
    refundId = (
      await withProviderRetries(deps, 'refund', () =>
        deps.paymentProvider.refund({
          idempotencyKey: refundKey(order.id),
          chargeId: payment.providerReference,
          amount: { amount: payment.amount, currency: payment.currency },
        }),
      )
    ).id;
  } catch (err) {
    await recordRefundFailure(deps, payment.id, order.id, err).catch((dbErr: unknown) =>
      deps.logger.error({ err: dbErr, orderId: order.id }, 'could not record the failed refund attempt'),
    );
    return false;
  }
  await markRefunded(deps, payment.id, refundId);
  if (payment.refundAttempts > 0) {
    deps.metrics?.count('refundFailures', { outcome: 'recovered' });
    deps.logger.info(
      { orderId: order.id, failedAttempts: payment.refundAttempts },
      'refund succeeded after failed attempts',
    );
  }
  return true;
}

async function markRefunded(deps: OrderServiceDeps, paymentId: string, refundReference: string) {
  await deps.db
    .update(payments)
    .set({ status: 'refunded', refundReference, refundedAt: new Date(), refundNextAttemptAt: null })
    .where(and(eq(payments.id, paymentId), eq(payments.status, 'succeeded')));
}

/**
 * One more failed attempt, in one conditional statement (so concurrent processes count each attempt
 * once and exactly one of them sees the bound reached): the next attempt after the backoff, or —
 * at the bound — the mark that the refund needs an operator, logged once and counted.
 */
async function recordRefundFailure(deps: OrderServiceDeps, paymentId: string, orderId: string, err: unknown) {
  const policy = policyOf(deps);
  const lastError = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
  const exhausted = sql`${payments.refundAttempts} + 1 >= ${policy.maxAttempts}`;
  const backoffMs = sql`least(${policy.maxDelayMs}::float8, ${policy.baseDelayMs}::float8 * power(2, ${payments.refundAttempts}))`;
  const [row] = await deps.db
    .update(payments)
    .set({
      refundAttempts: sql`${payments.refundAttempts} + 1`,
      refundLastError: lastError,
      refundNextAttemptAt: sql`case when ${exhausted} then null else now() + ${backoffMs} * interval '1 millisecond' end`,
      refundNeedsAttentionAt: sql`case when ${exhausted} then now() end`,
    })
    .where(
      and(
        eq(payments.id, paymentId),
        eq(payments.status, 'succeeded'),
        isNull(payments.refundNeedsAttentionAt),
      ),
    )
    .returning({
      attempts: payments.refundAttempts,
      nextAttemptAt: payments.refundNextAttemptAt,
      needsAttentionAt: payments.refundNeedsAttentionAt,
    });
  if (!row) return;
  if (row.needsAttentionAt) {
    deps.metrics?.count('refundFailures', { outcome: 'needs_attention' });
    deps.logger.error(
      { err, orderId, attempts: row.attempts },
      'refund failed for the last time: it needs an operator (payments.refund_needs_attention_at); no more retries',
    );
    return;
  }
  deps.metrics?.count('refundFailures', { outcome: 'failed' });
  deps.logger.warn(
    { err, orderId, attempts: row.attempts, nextAttemptAt: row.nextAttemptAt?.toISOString() },
    'refund failed; retried after a backoff',
  );
}

/**
 * Retry the refunds that are due: payments still `succeeded` on cancelled/rejected orders, not yet
 * given up, whose backoff has passed (or that never failed and whose cancel is older than a minute:
 * a process died between the cancel and its refund). Each pass claims what it retries by moving its
 * next attempt forward, so processes running the loop at once retry different refunds; the provider
 * key is the order's, so even a double attempt makes one refund. Returns how many were refunded.
 */
export async function retryPendingRefunds(deps: OrderServiceDeps): Promise<number> {
  const rows = await executeRows<{ order_id: string }>(
    deps.db,
    sql`update ${payments} claimed
           set refund_next_attempt_at = now() + make_interval(secs => ${REFUND_CLAIM_SECONDS})
         where claimed.id in (
           select p.id from ${payments} p join ${orders} o on o.id = p.order_id
            where p.status = 'succeeded' and o.status in ('cancelled', 'rejected')
              and p.refund_needs_attention_at is null
              and coalesce(p.refund_next_attempt_at,
                           o.updated_at + make_interval(secs => ${REFUND_INLINE_GRACE_SECONDS})) <= now()
            order by p.refund_next_attempt_at nulls first
            limit 100
            for update of p skip locked)
         returning claimed.order_id`,
  );
  let refunded = 0;
  for (const row of rows) if (await refundOrder(deps, { id: row.order_id })) refunded++;
  return refunded;
}
