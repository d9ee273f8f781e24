/**
 * Reads that may go to a streaming replica (order list and get), with the primary as the fallback
 * whenever the replica cannot be trusted for this one read:
 * - `unavailable`: no replica is up (its last lag check failed), or every one is further behind than
 *   DATABASE_REPLICA_MAX_LAG_MS (`lagging`);
 * - `error`: the replica failed the read (stopped, restarted, a recovery conflict): the read is run
 *   again on the primary, so the client never sees the replica's failure, and the replica is skipped
 *   until its next successful lag check;
 * - `stale`: the caller's freshness check refused the replica's answer — read-your-writes: a client
 *   holding a newer ETag than the replica's row, or an order the replica does not have yet.
 *
 * Writes and everything inside a transaction never come here: they use `deps.db`, the primary.
 * A background check measures each replica's lag every DATABASE_REPLICA_CHECK_INTERVAL_MS (the
 * `quickeats_db_replica_lag_*` gauges show it).
 */
import type { Database, ReplicaHandle, ReplicaLag } from '@quickeats/db';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';

export type FallbackReason = 'unavailable' | 'lagging' | 'error' | 'stale';

export interface ReplicaReads {
  /**
   * Run `read` on a replica when one is up and close enough, else on the primary; on the primary
   * again when it fails on the replica or `fresh` refuses the replica's result.
   */
  read<T>(read: (db: Database) => Promise<T>, fresh?: (result: T) => boolean): Promise<T>;
  /** What the last checks measured, per replica (tests, `/readyz`-like diagnostics). */
  status(): ReplicaStatus[];
  /** Measure every replica now (the background check does this periodically). */
  check(): Promise<void>;
  close(): void;
}

export interface ReplicaStatus {
  label: string;
  up: boolean;
  lag: ReplicaLag | null;
}

interface ReplicaState extends ReplicaStatus {
  handle: ReplicaHandle;
}

export interface ReplicaReadsOptions {
  primary: Database;
  replicas: readonly ReplicaHandle[];
  maxLagMs: number;
  checkIntervalMs: number;
  metrics: Metrics;
  logger: Logger;
}

export function createReplicaReads(options: ReplicaReadsOptions): ReplicaReads {
  const { primary, metrics, logger } = options;
  const states: ReplicaState[] = options.replicas.map((handle) => ({
    handle,
    label: handle.label,
    // Untrusted until the first check answered.
    up: false,
    lag: null,
  }));
  let next = 0;
  const fallback = (reason: FallbackReason) => metrics.count('dbReplicaFallbacks', { reason });

  const checkOne = async (state: ReplicaState) => {
    try {
      state.lag = await state.handle.lag();
      if (!state.up) logger.info({ replica: state.label, lag: state.lag }, 'replica up');
      state.up = true;
    } catch (err) {
      if (state.up) logger.warn({ err, replica: state.label }, 'replica down: reads go to the primary');
      state.up = false;
      state.lag = null;
    }
  };
  const check = async () => {
    await Promise.all(states.map(checkOne));
  };
  // One check at a time: a slow one (a frozen replica) is not stacked up by the next tick.
  let checking = false;
  const timer = states.length
    ? setInterval(() => {
        if (checking) return;
        checking = true;
        void check().finally(() => {
          checking = false;
        });
      }, options.checkIntervalMs)
    : undefined;
  timer?.unref();
  void check();

  if (states.length) {
    metrics.readGauge('dbReplicaLagSeconds', () =>
      states.map((s) => ({ labels: { replica: s.label }, value: s.lag?.seconds ?? -1 })),
    );
    metrics.readGauge('dbReplicaLagBytes', () =>
      states.map((s) => ({ labels: { replica: s.label }, value: s.lag?.bytes ?? -1 })),
    );
  }

  /** The next usable replica (round robin), or why there is none. */
  const pick = (): ReplicaState | 'unavailable' | 'lagging' => {
    const up = states.filter((s) => s.up);
    if (up.length === 0) return 'unavailable';
    const close = up.filter((s) => (s.lag?.seconds ?? 0) * 1000 <= options.maxLagMs);
    if (close.length === 0) return 'lagging';
    return close[next++ % close.length]!;
  };

  return {
    async read(read, fresh) {
      if (states.length === 0) return read(primary);
      const replica = pick();
      if (typeof replica === 'string') {
        fallback(replica);
        return read(primary);
      }
      let result: Awaited<ReturnType<typeof read>>;
      try {
        result = await read(replica.handle.db);
      } catch (err) {
        replica.up = false;
        logger.warn({ err, replica: replica.label }, 'replica read failed: read again on the primary');
        fallback('error');
        return read(primary);
      }
      if (fresh && !fresh(result)) {
        fallback('stale');
        return read(primary);
      }
      return result;
    },
    status: () => states.map(({ label, up, lag }) => ({ label, up, lag })),
    check,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/** Run `read` through the replicas when the app has them, else on `db` (tests build deps without). */
export function replicaRead<T>(
  deps: { db: Database; replicaReads?: ReplicaReads | undefined },
  read: (db: Database) => Promise<T>,
  fresh?: (result: T) => boolean,
): Promise<T> {
  return deps.replicaReads ? deps.replicaReads.read(read, fresh) : read(deps.db);
}
