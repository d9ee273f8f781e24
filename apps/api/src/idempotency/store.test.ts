/**
 * The store contract, run against both implementations: Postgres (the real local server) and
 * Upstash (`@upstash/redis` through the Upstash-REST bridge, in front of the real local Redis).
 * Anything the HTTP and tRPC layers rely on is pinned here, once, for both.
 */
import { randomUUID } from 'node:crypto';
import { executeRows, slot, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { IDEMPOTENCY_RETENTION_SECONDS } from '@quickeats/domain';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import { Redis } from '@upstash/redis';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresIdempotencyStore } from './postgres-store';
import {
  IdempotencyLeaseLost,
  type IdempotencyScope,
  type IdempotencyStore,
  type StoredResponse,
} from './store';
import { UpstashIdempotencyStore } from './upstash-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LONG_LEASE = 30;
const SHORT_LEASE = 1;

const created: StoredResponse = {
  status: 201,
  headers: { 'Content-Type': 'application/vnd.api+json', ETag: '"v1"', Location: '/api/v2/orders/x' },
  body: '{"data":{"type":"orders","id":"x"}}',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh database (and, for Upstash, a bridge and a key prefix) per describe block. */
function useStores(kind: 'postgres' | 'upstash') {
  const f = {
    database: undefined as unknown as TestDatabase,
    bridge: undefined as UpstashBridge | undefined,
    redis: undefined as Redis | undefined,
    userId: '',
    otherUserId: '',
    keyPrefix: `qe-test:idempotency-store:${randomUUID()}:`,
    storeWith(leaseSeconds: number): IdempotencyStore {
      const timing = { leaseSeconds, retentionSeconds: IDEMPOTENCY_RETENTION_SECONDS };
      return kind === 'postgres'
        ? new PostgresIdempotencyStore(f.database.db, timing)
        : new UpstashIdempotencyStore(f.redis!, f.database.db, timing, { keyPrefix: f.keyPrefix });
    },
    scopeFor(overrides: Partial<IdempotencyScope> = {}): IdempotencyScope {
      return { userId: f.userId, route: 'POST /api/v2/orders', key: randomUUID(), ...overrides };
    },
  };
  beforeAll(async () => {
    f.database = await createTestDatabase({ seed: { orders: 0 } });
    const [a, b] = await f.database.db.select({ id: users.id }).from(users).limit(2);
    f.userId = a!.id;
    f.otherUserId = b!.id;
    if (kind === 'upstash') {
      f.bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
      f.redis = new Redis({ url: f.bridge.url, token: f.bridge.token, automaticDeserialization: false });
    }
  });
  afterAll(async () => {
    if (f.redis) {
      const keys = (await f.redis.keys(`${f.keyPrefix}*`)) as string[];
      if (keys.length > 0) await f.redis.del(...keys);
    }
    await f.bridge?.close();
    await f.database?.close();
  });
  return f;
}

describe.each(['postgres', 'upstash'] as const)('%s idempotency store', (kind) => {
  const f = useStores(kind);
  const storeWith = (leaseSeconds: number) => f.storeWith(leaseSeconds);
  const scopeFor = (overrides: Partial<IdempotencyScope> = {}) => f.scopeFor(overrides);

  it('admits the first request and tells a second one with the same key that it is in flight', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    expect(await store.admit(scope, 'fp')).toMatchObject({
      kind: 'acquired',
      lease: { scope, fingerprint: 'fp' },
    });
    const second = await store.admit(scope, 'fp');
    expect(second.kind).toBe('in-flight');
    // Retry-After points at the end of the lease, never past it and never below a second.
    if (second.kind === 'in-flight') {
      expect(second.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(second.retryAfterSeconds).toBeLessThanOrEqual(LONG_LEASE);
    }
  });

  it('reads a ReadAlong with the lease where it can (Postgres: in the same statement), only for the holder', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const probe = (values: Record<string, unknown>) => ({
      name: 'test probe',
      // Reads the lease's own `userId` slot too: proof that it ran in the lease's statement.
      sql: sql`(select json_build_object('user', ${slot('userId')}::uuid, 'mine', ${slot('mine')}::text))`,
      values,
    });
    const first = await store.admit(scope, 'fp', probe({ mine: 'x' }));
    expect(first.kind).toBe('acquired');
    expect(first.kind === 'acquired' && first.readAlong).toEqual(
      kind === 'postgres' ? { value: { user: f.userId, mine: 'x' } } : undefined,
    );
    const second = await store.admit(scope, 'fp', probe({ mine: 'x' }));
    expect(second.kind).toBe('in-flight');
    expect('readAlong' in second).toBe(false);
    if (kind === 'postgres') {
      // A slot of the read named like one of the lease's would silently read the lease's value.
      await expect(store.admit(scopeFor(), 'fp', probe({ mine: 'x', key: 'k' }))).rejects.toThrow(
        /slot 'key' is one of the lease's/,
      );
    }
  });

  it('lets exactly one of 40 concurrent requests with one key take it', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admissions = await Promise.all(Array.from({ length: 40 }, () => store.admit(scope, 'fp')));
    expect(admissions.filter((a) => a.kind === 'acquired')).toHaveLength(1);
    expect(admissions.filter((a) => a.kind === 'in-flight')).toHaveLength(39);
  });

  it('replays a completed response exactly, as many times as asked', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admission = await store.admit(scope, 'fp');
    if (admission.kind !== 'acquired') throw new Error('expected to acquire');
    expect(await store.complete(admission.lease, created)).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(await store.admit(scope, 'fp')).toEqual({ kind: 'replay', response: created });
    }
  });

  it('reports a mismatch for another fingerprint, while in flight and once completed', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admission = await store.admit(scope, 'fp-1');
    if (admission.kind !== 'acquired') throw new Error('expected to acquire');
    expect(await store.admit(scope, 'fp-2')).toEqual({ kind: 'mismatch' });
    await store.complete(admission.lease, created);
    expect(await store.admit(scope, 'fp-2')).toEqual({ kind: 'mismatch' });
  });

  it('scopes a key to its user and its route', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    expect((await store.admit(scope, 'fp')).kind).toBe('acquired');
    expect((await store.admit({ ...scope, userId: f.otherUserId }, 'fp')).kind).toBe('acquired');
    expect((await store.admit({ ...scope, route: 'POST /api/v2/orders/y/pay' }, 'fp')).kind).toBe('acquired');
    expect((await store.admit(scope, 'fp')).kind).toBe('in-flight');
  });

  it('frees a released key, so that the retry of a 5xx runs again', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const first = await store.admit(scope, 'fp');
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    await store.release(first.lease);
    const retry = await store.admit(scope, 'fp');
    expect(retry.kind).toBe('acquired');
    if (retry.kind === 'acquired') expect(retry.lease.token).not.toBe(first.lease.token);
  });

  it('stores the response with the effect when the transaction commits', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admission = await store.admit(scope, 'fp');
    if (admission.kind !== 'acquired') throw new Error('expected to acquire');
    await f.database.db.transaction(async (tx) => {
      await store.recordInTransaction(tx, admission.lease, created);
    });
    await store.afterCommit(admission.lease, created);
    expect(await store.admit(scope, 'fp')).toEqual({ kind: 'replay', response: created });
  });

  it('stores nothing when the effect’s transaction rolls back: the key stays in flight, then is freed', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admission = await store.admit(scope, 'fp');
    if (admission.kind !== 'acquired') throw new Error('expected to acquire');
    await expect(
      f.database.db.transaction(async (tx) => {
        await store.recordInTransaction(tx, admission.lease, created);
        throw new Error('the effect failed after the record was written');
      }),
    ).rejects.toThrow('the effect failed');
    expect((await store.admit(scope, 'fp')).kind).toBe('in-flight');
    await store.release(admission.lease);
    expect((await store.admit(scope, 'fp')).kind).toBe('acquired');
  });

  it('lets another request take over a lease whose holder died, and fences the old holder off', async () => {
    const store = storeWith(SHORT_LEASE);
    const scope = scopeFor();
    const dead = await store.admit(scope, 'fp');
    if (dead.kind !== 'acquired') throw new Error('expected to acquire');
    await sleep(SHORT_LEASE * 1000 + 150);
    const takeover = await store.admit(scope, 'fp');
    if (takeover.kind !== 'acquired') throw new Error(`expected a takeover, got ${takeover.kind}`);

    // The old holder wakes up late: none of its writes may touch the new holder's key…
    await store.release(dead.lease);
    expect((await store.peek(scope, 'fp')).kind).toBe('in-flight');
    const winner: StoredResponse = { ...created, body: '{"winner":"takeover"}' };
    await f.database.db.transaction((tx) => store.recordInTransaction(tx, takeover.lease, winner));
    await store.afterCommit(takeover.lease, winner);
    // …and once the new holder finished, the old one's record is refused and rolled back.
    await expect(
      f.database.db.transaction((tx) => store.recordInTransaction(tx, dead.lease, created)),
    ).rejects.toBeInstanceOf(IdempotencyLeaseLost);
    expect(await store.complete(dead.lease, created)).toBe(false);
    expect(await store.admit(scope, 'fp')).toEqual({ kind: 'replay', response: winner });
  });

  it('never lets an expired lease be taken for a different request (still a mismatch)', async () => {
    const store = storeWith(SHORT_LEASE);
    const scope = scopeFor();
    expect((await store.admit(scope, 'fp-1')).kind).toBe('acquired');
    await sleep(SHORT_LEASE * 1000 + 150);
    expect(await store.admit(scope, 'fp-2')).toEqual({ kind: 'mismatch' });
  });

  it('peeks at a key without taking it', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    expect(await store.peek(scope, 'fp')).toEqual({ kind: 'free' });
    expect((await store.admit(scope, 'fp')).kind).toBe('acquired');
    expect((await store.peek(scope, 'fp')).kind).toBe('in-flight');
    expect(await store.peek(scope, 'other')).toEqual({ kind: 'mismatch' });
  });

  it('keeps a final response in Postgres for at least 24 h, then purges it and frees the key', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const admission = await store.admit(scope, 'fp');
    if (admission.kind !== 'acquired') throw new Error('expected to acquire');
    await store.complete(admission.lease, created);
    const [row] = await executeRows<{ seconds: number }>(
      f.database.db,
      sql`select extract(epoch from expires_at - now())::int as seconds from idempotency_keys
           where user_id = ${scope.userId} and route = ${scope.route} and key = ${scope.key}`,
    );
    expect(row?.seconds).toBeGreaterThanOrEqual(IDEMPOTENCY_RETENTION_SECONDS - 5);
    if (f.redis) {
      const ttl = Number(await f.redis.pttl((store as UpstashIdempotencyStore).redisKey(scope)));
      expect(ttl).toBeGreaterThan((IDEMPOTENCY_RETENTION_SECONDS - 5) * 1000);
      // Redis expires the cached copy on its own; make it gone now, as after the retention.
      await f.redis.del((store as UpstashIdempotencyStore).redisKey(scope));
    }

    await f.database.db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second'
           where user_id = ${scope.userId} and route = ${scope.route} and key = ${scope.key}`,
    );
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect((await store.admit(scope, 'fp')).kind).toBe('acquired');
  });
});

describe('upstash idempotency store: Postgres stays the last guard', () => {
  const f = useStores('upstash');
  const storeWith = (leaseSeconds: number) => f.storeWith(leaseSeconds) as UpstashIdempotencyStore;
  const scopeFor = () => f.scopeFor();

  it('falls back on the Postgres unique guard when Redis lost a lease: the duplicate rolls back and replays', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const first = await store.admit(scope, 'fp');
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    // Redis forgets the lease (restart, eviction): a second execution of the same request starts.
    await f.redis!.del(store.redisKey(scope));
    const second = await store.admit(scope, 'fp');
    if (second.kind !== 'acquired') throw new Error('expected the second execution to acquire');

    await f.database.db.transaction((tx) => store.recordInTransaction(tx, first.lease, created));
    await store.afterCommit(first.lease, created);
    let effectCommitted = false;
    await expect(
      f.database.db.transaction(async (tx) => {
        await store.recordInTransaction(tx, second.lease, { ...created, body: '{"duplicate":true}' });
        effectCommitted = true;
      }),
    ).rejects.toBeInstanceOf(IdempotencyLeaseLost);
    expect(effectCommitted).toBe(false);
    expect(await store.peek(scope, 'fp')).toEqual({ kind: 'replay', response: created });
  });

  it('answers from Postgres when the cached response is gone, and puts it back in the cache', async () => {
    const store = storeWith(LONG_LEASE);
    const scope = scopeFor();
    const first = await store.admit(scope, 'fp');
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    await store.complete(first.lease, created);
    await f.redis!.del(store.redisKey(scope));

    // The next request takes the key (Redis knows nothing) but cannot complete it: Postgres can.
    const retry = await store.admit(scope, 'fp');
    if (retry.kind !== 'acquired') throw new Error('expected to acquire');
    expect(await store.complete(retry.lease, { ...created, status: 412, body: '{}' })).toBe(false);
    await store.release(retry.lease);
    expect(await store.peek(scope, 'fp')).toEqual({ kind: 'replay', response: created });
    expect(await store.admit(scope, 'fp')).toEqual({ kind: 'replay', response: created });
  });
});
