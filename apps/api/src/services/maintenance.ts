/**
 * Background upkeep every API process runs: re-drive refunds that failed (a cancel commits even when
 * the provider is down; the money goes back once it answers) and purge idempotency records past
 * their retention. Safe on any number of processes at once — refunds are keyed per order at the
 * provider, and the purge deletes only what is expired.
 */
import type { AppDeps } from '../context';
import { retryPendingRefunds } from './orders.service';

export const MAINTENANCE_INTERVAL_MS = 60_000;

export async function runMaintenance(
  deps: Pick<AppDeps, 'db' | 'paymentProvider' | 'logger' | 'idempotency'>,
): Promise<{ refunded: number; purged: number }> {
  const refunded = await retryPendingRefunds(deps);
  const purged = await deps.idempotency.purgeExpired();
  if (refunded > 0 || purged > 0) deps.logger.info({ refunded, purged }, 'maintenance');
  return { refunded, purged };
}

/** Run now and then every `intervalMs`; never keeps the process alive, never overlaps itself. */
export function startMaintenance(
  deps: Pick<AppDeps, 'db' | 'paymentProvider' | 'logger' | 'idempotency'>,
  intervalMs = MAINTENANCE_INTERVAL_MS,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = running
      .then(() => (stopped ? undefined : runMaintenance(deps)))
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
