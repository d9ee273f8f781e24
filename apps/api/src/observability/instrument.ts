/**
 * Wraps the dependencies whose outcomes the metrics count — the idempotency store (outcome of each
 * keyed request) and the payment provider (outcome of each call) — and reads the pool's gauge. The
 * wrappers decorate the real objects (prototype chain kept), so nothing else changes, and with
 * metrics off the dependencies are returned untouched.
 */
import { type PaymentProvider, PaymentProviderError } from '@quickeats/domain';
import type { AppDeps } from '../context';
import type { OutboxEvent } from '../events/outbox';
import { IdempotencyLeaseLost, type IdempotencyStore } from '../idempotency/store';
import type { Metrics } from './metrics';

const ADMISSION_OUTCOME = {
  acquired: 'new',
  replay: 'replayed',
  'in-flight': 'in_flight',
  mismatch: 'mismatch',
} as const;

/** A key claimed by its write: `free` means it changed hands while the request ran. */
const CLAIM_OUTCOME = { new: 'new', ...ADMISSION_OUTCOME, free: 'lease_lost' } as const;

/** Counts what each keyed request met (REST and tRPC both go through the store). */
export function countIdempotencyOutcomes(store: IdempotencyStore, metrics: Metrics): IdempotencyStore {
  const counted: IdempotencyStore = Object.create(store);
  counted.admit = async (scope, fingerprint, readAlong) => {
    const admission = await store.admit(scope, fingerprint, readAlong);
    metrics.count('idempotencyOutcomes', { outcome: ADMISSION_OUTCOME[admission.kind] });
    return admission;
  };
  counted.claimInWrite = (scope, fingerprint) =>
    store.claimInWrite(scope, fingerprint, (outcome) =>
      metrics.count('idempotencyOutcomes', { outcome: CLAIM_OUTCOME[outcome] }),
    );
  // A holder learns here that its lease expired and another request took the key over.
  counted.recordInTransaction = async (tx, lease, response) => {
    try {
      await store.recordInTransaction(tx, lease, response);
    } catch (err) {
      if (err instanceof IdempotencyLeaseLost)
        metrics.count('idempotencyOutcomes', { outcome: 'lease_lost' });
      throw err;
    }
  };
  counted.complete = async (lease, response) => {
    const ok = await store.complete(lease, response);
    if (!ok) metrics.count('idempotencyOutcomes', { outcome: 'lease_lost' });
    return ok;
  };
  // A request's store (on its counting database) is counted too.
  counted.onDatabase = (db) => countIdempotencyOutcomes(store.onDatabase(db), metrics);
  return counted;
}

function countFailure(metrics: Metrics, err: unknown): never {
  if (err instanceof PaymentProviderError)
    metrics.count('paymentOutcomes', { outcome: err.outcomeUnknown ? 'outcome_unknown' : 'refused' });
  throw err;
}

/** Counts each provider call's outcome (an unknown outcome is retried by the service with the same key). */
export function countPaymentOutcomes(provider: PaymentProvider, metrics: Metrics): PaymentProvider {
  const counted: PaymentProvider = Object.create(provider);
  counted.charge = (req) =>
    provider.charge(req).then(
      (charge) => {
        metrics.count('paymentOutcomes', { outcome: 'charged' });
        return charge;
      },
      (err: unknown) => countFailure(metrics, err),
    );
  counted.refund = (req) =>
    provider.refund(req).then(
      (refund) => {
        metrics.count('paymentOutcomes', { outcome: 'refunded' });
        return refund;
      },
      (err: unknown) => countFailure(metrics, err),
    );
  return counted;
}

/** The dependencies as the app and the maintenance loop use them: counted when metrics are on. */
export function instrumentDeps(deps: AppDeps): AppDeps {
  const { metrics } = deps;
  if (!metrics.enabled) return deps;
  const poolStats = deps.dbHandle.poolStats;
  if (poolStats) {
    metrics.readGauge('dbPoolConnections', () => {
      const stats = poolStats();
      return [
        { labels: { state: 'max' as const }, value: stats.max },
        { labels: { state: 'in_use' as const }, value: stats.inUse },
        { labels: { state: 'waiting' as const }, value: stats.waiting },
      ];
    });
  }
  deps.rateLimits.onRefusal(({ policy }) => metrics.count('rateLimitRefusals', { policy }));
  return {
    ...deps,
    idempotency: countIdempotencyOutcomes(deps.idempotency, metrics),
    paymentProvider: countPaymentOutcomes(deps.paymentProvider, metrics),
  };
}

/**
 * The live stream's lag: from an order event's time (its transaction's) to the moment this process's
 * event hub read it from the outbox — after which fan-out to SSE and tRPC subscribers is immediate.
 */
export function recordEventLag(metrics: Metrics, now: () => number = Date.now) {
  return (batch: readonly OutboxEvent[]): void => {
    if (!metrics.enabled) return;
    const at = now();
    for (const { event } of batch)
      metrics.observe(
        'eventLag',
        { consumer: 'stream' },
        Math.max(0, at - Date.parse(event.occurredAt)) / 1000,
      );
  };
}
