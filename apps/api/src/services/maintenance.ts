/**
 * Background upkeep every API process runs: re-drive refunds that failed (a cancel commits even when
 * the provider is down; the money goes back once it answers), settle orphan charges (a pay that
 * charged and died before recording it — reconciliation.ts), and purge idempotency records past
 * their retention. Safe on any number of processes at once — refunds and charges are keyed per
 * order at the provider, transitions are conditional, and the purge deletes only what is expired.
 */
import type { AppDeps } from '../context';
import { type RefundRetryPolicy, retryPendingRefunds } from './orders.service';
import { type ReconcileCursor, type ReconcileOutcome, reconcileOrphanCharges } from './reconciliation';

export const MAINTENANCE_INTERVAL_MS = 60_000;

type MaintenanceDeps = Pick<AppDeps, 'db' | 'paymentProvider' | 'logger' | 'idempotency'> &
  Partial<Pick<AppDeps, 'metrics'>> & {
    config: { idempotency: { leaseSeconds: number }; refunds?: RefundRetryPolicy | undefined };
    /** Kept across the passes of one process (startMaintenance keeps one). */
    reconcileCursor?: ReconcileCursor;
  };

export async function runMaintenance(
  deps: MaintenanceDeps,
): Promise<{ refunded: number; purged: number; orphans: ReconcileOutcome }> {
  const refunded = await retryPendingRefunds(deps);
  const orphans = await reconcileOrphanCharges(deps, {
    leaseSeconds: deps.config.idempotency.leaseSeconds,
    cursor: deps.reconcileCursor,
  });
  const settled = orphans.paid + orphans.refunded;
  if (settled > 0) deps.metrics?.count('paymentOutcomes', { outcome: 'reconciled' }, settled);
  const purged = await deps.idempotency.purgeExpired();
  if (refunded > 0 || purged > 0 || orphans.paid > 0 || orphans.refunded > 0)
    deps.logger.info({ refunded, purged, orphans }, 'maintenance');
  return { refunded, purged, orphans };
}

/** Run now and then every `intervalMs`; never keeps the process alive, never overlaps itself. */
export function startMaintenance(
  deps: MaintenanceDeps,
  intervalMs = MAINTENANCE_INTERVAL_MS,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const passes = { ...deps, reconcileCursor: deps.reconcileCursor ?? {} };
  const tick = () => {
    running = running
      .then(() => (stopped ? undefined : runMaintenance(passes)))
      .catch((err: unknown) => deps.logger.error({ err }, 'maintenance failed'));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
