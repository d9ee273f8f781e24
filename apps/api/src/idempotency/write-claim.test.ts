/**
 * Issue 15: a keyed transition whose client named its version takes no lease — its one statement is
 * the key's claim (`WriteClaim`), on both stores. Pinned here, against the real PostgreSQL (and Redis
 * behind the bridge): one round trip and no REST call for the request and for each replay; duplicates
 * racing on one key change the order once and all get the same answer; a refusal (412) is stored
 * and replayed; another body under the key is a 422 and changes nothing; a live lease on the key is
 * a 409, a dead one is taken over. On the Postgres store a create's key is claimed by its insert too
 * (the statement that reads the menu): racing duplicates make one order, a replay is not validated again.
 */
import { executeRows } from '@quickeats/db';
import { requestFingerprint } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { type DemoClients, demoClients, demoMenu, newKey, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

describe.each(['postgres', 'upstash'] as const)('a key claimed by its write (%s store)', (kind) => {
  let t: TestApp;
  let c: DemoClients;
  let store: StoreUnderTest;

  beforeAll(async () => {
    store = await idempotencyStore(kind, 'write-claim');
    t = await createTestApp({ seed: { orders: 0 }, env: store.env, poolSize: 4 });
    expect(t.deps.idempotency.kind).toBe(kind);
    c = await demoClients(t);
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
  });

  const accept = (o: { id: string; version: number }, key: string, version = o.version) =>
    c.owner.act(o.id, 'accept', version, { 'idempotency-key': key });
  /** What one request cost: database round trips and REST calls to the Upstash bridge. */
  async function cost<R extends { headers: Headers }>(request: () => Promise<R>) {
    const before = store.restCalls?.() ?? 0;
    const res = await request();
    return {
      res,
      roundTrips: Number(res.headers.get('x-db-round-trips')),
      restCalls: (store.restCalls?.() ?? 0) - before,
    };
  }
  const orderRow = async (id: string) =>
    (
      await executeRows<{ version: number; status: string; events: number }>(
        t.database.db,
        sql`select o.version, o.status,
                   (select count(*)::int from order_events e where e.order_id = o.id and e.action <> 'create') as events
              from orders o where o.id = ${id}`,
      )
    )[0]!;

  /** The order was accepted exactly once: one version more, one event more. */
  const expectAcceptedOnce = async (order: { id: string; version: number }, before: { events: number }) =>
    expect(await orderRow(order.id)).toEqual({
      version: order.version + 1,
      status: 'accepted',
      events: before.events + 1,
    });

  it('the request and each replay: one round trip, no REST call; replays are the first answer', async () => {
    await accept(await orderIn(t, c, 'paid'), newKey()); // its statement prepared on a connection
    const order = await orderIn(t, c, 'paid');
    const before = await orderRow(order.id);
    const key = newKey();
    const first = await cost(() => accept(order, key));
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('idempotent-replayed')).toBeNull();
    expect(first).toMatchObject({ roundTrips: 1, restCalls: 0 });
    for (let i = 0; i < 2; i++) {
      const replay = await cost(() => accept(order, key));
      expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.res.body).toEqual(first.res.body);
      expect(replay.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
      expect(replay).toMatchObject({ roundTrips: 1, restCalls: 0 });
    }
    await expectAcceptedOnce(order, before);
  });

  it('duplicates racing on one key: the order changes once, every answer is that one result', async () => {
    const order = await orderIn(t, c, 'paid');
    const before = await orderRow(order.id);
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 8 }, () => accept(order, key)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body).toEqual(answers[0]!.body);
    }
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    await expectAcceptedOnce(order, before);
  });

  it('a refusal is final: the stale version’s 412 is stored and replayed, nothing changes', async () => {
    const order = await orderIn(t, c, 'paid');
    const key = newKey();
    const stale = await accept(order, key, order.version - 1);
    expect(stale.status).toBe(412);
    const replay = await cost(() => accept(order, key, order.version - 1));
    expect(replay.res.status).toBe(412);
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.res.body).toEqual(stale.body);
    expect(replay.roundTrips).toBe(1);
    expect((await orderRow(order.id)).status).toBe('paid');
  });

  it('another body under the same key: 422, and the order keeps the first request’s change only', async () => {
    const order = await orderIn(t, c, 'pending');
    const key = newKey();
    const cancel = (reason: string) =>
      c.customer.post(
        `/api/v2/orders/${order.id}/cancel`,
        { reason },
        { 'if-match': `"v${order.version}"`, 'idempotency-key': key },
      );
    expect((await cancel('changed my mind')).status).toBe(200);
    const other = await cancel('another reason');
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
    // Only the problem's own headers: none from the 409 the lost statement was first rendered as.
    expect(other.headers.get('retry-after')).toBeNull();
    const [event] = await executeRows<{ reason: string }>(
      t.database.db,
      sql`select reason from order_events where order_id = ${order.id} and action = 'cancel'`,
    );
    expect(event).toEqual({ reason: 'changed my mind' });
  });
});

describe('a key claimed by its write, where the Postgres store keeps a lease', () => {
  let t: TestApp;
  let c: DemoClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    c = await demoClients(t);
  });
  afterAll(() => t?.close());
  const accept = (o: { id: string; version: number }, key: string) =>
    c.owner.act(o.id, 'accept', o.version, { 'idempotency-key': key });
  const statusOf = async (id: string) =>
    (
      await executeRows<{ status: string }>(t.database.db, sql`select status from orders where id = ${id}`)
    )[0]!.status;

  it('a live lease on the key (the same request on the lease path) is a 409; a dead one is taken over', async () => {
    const owner = await t.actorFor(DEMO_ACCOUNTS.owner);
    const order = await orderIn(t, c, 'paid');
    const route = `/api/v2/orders/${order.id}/accept`;
    const scope = { userId: owner.userId, route: `POST ${route}`, key: newKey() };
    const fingerprint = requestFingerprint({ method: 'POST', route, body: null });
    const held = await t.deps.idempotency.admit(scope, fingerprint);
    expect(held.kind).toBe('acquired');

    const busy = await accept(order, scope.key);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).not.toBeNull();
    expect(await statusOf(order.id)).toBe('paid');

    // The holder died: its lease ran out.
    await t.database.db.execute(
      sql`update idempotency_keys set lease_expires_at = now() - interval '1 second' where key = ${scope.key}`,
    );
    const taken = await accept(order, scope.key);
    expect(taken.status).toBe(200);
    expect(await statusOf(order.id)).toBe('accepted');
    const [record] = await executeRows<{ state: string }>(
      t.database.db,
      sql`select state from idempotency_keys where key = ${scope.key}`,
    );
    expect(record).toEqual({ state: 'completed' });
  });

  describe('a create, whose key its insert claims (the statement that also reads the menu)', () => {
    const create = async (key: string) => {
      const menu = await demoMenu(t);
      return c.customer.post(
        '/api/v2/orders',
        { restaurantId: menu.restaurantId, items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }] },
        { 'idempotency-key': key },
      );
    };
    const ordersOfCustomer = async () => {
      const customer = await t.actorFor(DEMO_ACCOUNTS.customer);
      return (
        await executeRows<{ n: number }>(
          t.database.db,
          sql`select count(*)::int as n from orders where customer_id = ${customer.userId}`,
        )
      )[0]!.n;
    };

    it('duplicates racing on one key: one order, every answer that one 201', async () => {
      expect(t.deps.idempotency.claimsCreatesInWrite).toBe(true);
      const before = await ordersOfCustomer();
      const key = newKey();
      const answers = await Promise.all(Array.from({ length: 8 }, () => create(key)));
      for (const a of answers) {
        expect(a.status).toBe(201);
        expect(a.body).toEqual(answers[0]!.body);
      }
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      expect(await ordersOfCustomer()).toBe(before + 1);
    });

    it('a replay is answered from the record, not validated again against a menu that changed since', async () => {
      const menu = await demoMenu(t);
      const key = newKey();
      const first = await create(key);
      expect(first.status).toBe(201);
      const dish = menu.menuItemIds[0]!;
      await t.database.db.execute(sql`update menu_items set available = false where id = ${dish}`);
      try {
        const replay = await create(key);
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body).toEqual(first.body);
        // A new key meets the changed menu.
        expect((await create(newKey())).status).toBe(422);
      } finally {
        await t.database.db.execute(sql`update menu_items set available = true where id = ${dish}`);
      }
    });

    it('a live lease on the key is a 409 and creates nothing; a dead one is taken over', async () => {
      const customer = await t.actorFor(DEMO_ACCOUNTS.customer);
      const menu = await demoMenu(t);
      const route = '/api/v2/orders';
      const scope = { userId: customer.userId, route: `POST ${route}`, key: newKey() };
      const body = {
        restaurantId: menu.restaurantId,
        items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
      };
      const fingerprint = requestFingerprint({ method: 'POST', route, body });
      expect((await t.deps.idempotency.admit(scope, fingerprint)).kind).toBe('acquired');
      const before = await ordersOfCustomer();

      const busy = await create(scope.key);
      expect(busy.status).toBe(409);
      expect(await ordersOfCustomer()).toBe(before);

      await t.database.db.execute(
        sql`update idempotency_keys set lease_expires_at = now() - interval '1 second' where key = ${scope.key}`,
      );
      const taken = await create(scope.key);
      expect(taken.status).toBe(201);
      expect(await ordersOfCustomer()).toBe(before + 1);
    });
  });
});
