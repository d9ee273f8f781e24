/**
 * The replica routing rules, in-process with stand-in handles (the topology test proves them on a
 * real streaming replica): which reads a replica serves, and every reason a read goes to the primary.
 */
import type { Database, ReplicaHandle, ReplicaLag } from '@quickeats/db';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../observability/metrics';
import { parseScrape } from '../testing/prometheus';
import { createReplicaReads } from './replica-reads';

const PRIMARY = { name: 'primary' } as unknown as Database;
const REPLICA = { name: 'replica' } as unknown as Database;
const nameOf = (db: Database) => (db as unknown as { name: string }).name;

function setup(options: { maxLagMs?: number } = {}) {
  let lag: ReplicaLag | Error = { bytes: 0, seconds: 0 };
  const handle: ReplicaHandle = {
    db: REPLICA,
    label: 'postgres://replica/q',
    lag: async () => {
      if (lag instanceof Error) throw lag;
      return lag;
    },
    close: async () => {},
  };
  const metrics = createMetrics();
  const reads = createReplicaReads({
    primary: PRIMARY,
    replicas: [handle],
    maxLagMs: options.maxLagMs ?? 1000,
    // The test measures when it wants (check()), not on a clock.
    checkIntervalMs: 600_000,
    metrics,
    logger: createLogger('silent'),
  });
  const scrape = async () => parseScrape(await metrics.registry!.metrics());
  return {
    reads,
    setLag: (next: ReplicaLag | Error) => {
      lag = next;
    },
    fallbacks: async (reason: string) =>
      (await scrape()).value('quickeats_db_replica_fallbacks_total', { reason }),
    gauge: async (name: string) => (await scrape()).value(name),
  };
}

describe('replica reads', () => {
  it('a replica serves reads once a check found it up and close enough', async () => {
    const t = setup();
    await t.reads.check();
    expect(await t.reads.read(async (db) => nameOf(db))).toBe('replica');
    expect(t.reads.status()).toEqual([
      { label: 'postgres://replica/q', up: true, lag: { bytes: 0, seconds: 0 } },
    ]);
    t.reads.close();
  });

  it('falls back to the primary: replica down, lagging, failing the read, or behind what the client holds', async () => {
    const t = setup({ maxLagMs: 1000 });
    // Down (its check failed): unavailable; the gauges say -1.
    t.setLag(new Error('connection refused'));
    await t.reads.check();
    expect(await t.reads.read(async (db) => nameOf(db))).toBe('primary');
    expect(await t.fallbacks('unavailable')).toBe(1);
    expect(await t.gauge('quickeats_db_replica_lag_bytes')).toBe(-1);

    // Further behind than the bound: lagging.
    t.setLag({ bytes: 4096, seconds: 2.5 });
    await t.reads.check();
    expect(await t.reads.read(async (db) => nameOf(db))).toBe('primary');
    expect(await t.fallbacks('lagging')).toBe(1);
    expect(await t.gauge('quickeats_db_replica_lag_seconds')).toBe(2.5);
    expect(await t.gauge('quickeats_db_replica_lag_bytes')).toBe(4096);

    // The read fails on the replica: run again on the primary, the replica skipped until a check.
    t.setLag({ bytes: 0, seconds: 0 });
    await t.reads.check();
    const tried: string[] = [];
    const answer = await t.reads.read(async (db) => {
      tried.push(nameOf(db));
      if (db === REPLICA) throw new Error('terminating connection due to administrator command');
      return 'ok';
    });
    expect({ answer, tried }).toEqual({ answer: 'ok', tried: ['replica', 'primary'] });
    expect(await t.fallbacks('error')).toBe(1);
    expect(await t.reads.read(async (db) => nameOf(db))).toBe('primary');
    await t.reads.check();
    expect(await t.reads.read(async (db) => nameOf(db))).toBe('replica');

    // Read-your-writes: the replica's answer is older than the client's ETag.
    const version = await t.reads.read(
      async (db) => (db === REPLICA ? 2 : 3),
      (v) => v >= 3,
    );
    expect(version).toBe(3);
    expect(await t.fallbacks('stale')).toBe(1);
    t.reads.close();
  });

  it('an error on the primary itself reaches the caller (nothing to fall back to)', async () => {
    const t = setup();
    await t.reads.check();
    await expect(
      t.reads.read(async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    t.reads.close();
  });
});
