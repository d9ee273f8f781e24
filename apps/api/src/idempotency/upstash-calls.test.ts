/**
 * Issue 15: what an Idempotency-Key costs on the Upstash store where it takes a lease, counted where
 * it is paid — REST calls received by the bridge, and database round trips (`X-DB-Round-Trips`). A
 * keyed accept with `If-Match: *` (read, then one statement: the lease path) is one REST call (taking
 * the key) more than the same accept without a key, and no database round trip more: the final
 * record is inserted by the transition's own statement. Redis learns that record lazily: the first
 * replay reads it from Postgres and copies it into Redis (one more call), every later replay is one
 * REST call and no database work. (With a concrete If-Match the statement itself claims the key, no
 * REST call at all: write-claim.test.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { type DemoClients, demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('REST calls and round trips of a keyed accept (Upstash store)', () => {
  let t: TestApp;
  let c: DemoClients;
  let store: StoreUnderTest;

  beforeAll(async () => {
    store = await idempotencyStore('upstash', 'upstash-calls');
    t = await createTestApp({ seed: { orders: 0 }, env: store.env, poolSize: 1 });
    expect(t.deps.idempotency.kind).toBe('upstash');
    c = await demoClients(t);
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
  });

  /** The REST calls and the round trips one request costs, with its answer. */
  async function cost<R extends { status: number; headers: Headers }>(request: () => Promise<R>) {
    const before = store.restCalls!();
    const res = await request();
    return {
      res,
      calls: store.restCalls!() - before,
      roundTrips: Number(res.headers.get('x-db-round-trips')),
    };
  }
  const accept = (o: { id: string }, headers: Record<string, string> = {}) =>
    c.owner.post(`/api/v2/orders/${o.id}/accept`, undefined, { 'if-match': '*', ...headers });

  it('keyed: one REST call and no round trip more than unkeyed; replays: one call once Redis has the answer', async () => {
    // Warm-up of each shape on the one pooled connection, so the statements are prepared.
    await accept(await orderIn(t, c, 'paid'));
    await accept(await orderIn(t, c, 'paid'), { 'idempotency-key': crypto.randomUUID() });

    const unkeyedOrder = await orderIn(t, c, 'paid');
    const unkeyed = await cost(() => accept(unkeyedOrder));
    expect(unkeyed.res.status).toBe(200);
    expect(unkeyed.roundTrips).toBe(2);

    const order = await orderIn(t, c, 'paid');
    const key = { 'idempotency-key': crypto.randomUUID() };
    const keyed = await cost(() => accept(order, key));
    expect(keyed.res.status).toBe(200);
    expect(keyed.calls - unkeyed.calls).toBe(1);
    expect(keyed.roundTrips - unkeyed.roundTrips).toBe(0);

    // The first replay finds the key in flight in Redis, reads the answer from Postgres and copies it.
    const first = await cost(() => accept(order, key));
    expect(first.res.headers.get('idempotent-replayed')).toBe('true');
    expect(first.res.body).toEqual(keyed.res.body);
    expect(first.calls).toBe(2);
    // Every later replay: one REST call, no database.
    for (let i = 0; i < 2; i++) {
      const later = await cost(() => accept(order, key));
      expect(later.res.headers.get('idempotent-replayed')).toBe('true');
      expect(later.res.body).toEqual(keyed.res.body);
      expect(later.calls).toBe(1);
      expect(later.roundTrips).toBe(0);
    }
  });
});
