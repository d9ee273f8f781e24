/**
 * Issue 15: round trips to the database per request, as the server counts them
 * (`X-DB-Round-Trips`, beside `X-SQL-Statements`). The app gets a pool of one connection and each
 * shape is sent once on another order first, so that its statements are prepared on that
 * connection: the numbers pinned are the steady state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoClients, demoClients, demoMenu, orderIn } from '../testing/orders-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

const roundTrips = (res: { headers: Headers }) => Number(res.headers.get('x-db-round-trips'));

describe('database round trips per request (Postgres idempotency store)', () => {
  let t: TestApp;
  let c: DemoClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 }, poolSize: 1 });
    c = await demoClients(t);
  });
  afterAll(() => t?.close());

  /** Run `request` on a warm-up order, then on a fresh one; the second's round trips. */
  async function steady(
    status: 'paid' | 'pending',
    request: (order: { id: string; version: number }) => Promise<{ status: number; headers: Headers }>,
    expectedStatus: number,
  ) {
    for (let i = 0; ; i++) {
      const order = await orderIn(t, c, status);
      const res = await request(order);
      expect(res.status).toBe(expectedStatus);
      if (i === 1) return roundTrips(res);
    }
  }

  it('GET an order by id: 1', async () => {
    expect(await steady('pending', (o) => c.customer.get(`/api/v2/orders/${o.id}`), 200)).toBe(1);
  });

  it('accept with If-Match and no Idempotency-Key: 1', async () => {
    const accept = (o: { id: string; version: number }) =>
      c.owner.post(`/api/v2/orders/${o.id}/accept`, undefined, { 'if-match': `"v${o.version}"` });
    expect(await steady('paid', accept, 200)).toBe(1);
  });

  it('a refused accept (stale If-Match) answers its 412 from the same single statement', async () => {
    const stale = (o: { id: string; version: number }) =>
      c.owner.post(`/api/v2/orders/${o.id}/accept`, undefined, { 'if-match': `"v${o.version - 1}"` });
    expect(await steady('paid', stale, 412)).toBe(1);
  });

  it('accept with If-Match and an Idempotency-Key (Postgres store): 1 — one statement claims the key, changes the order, appends the event and stores the record', async () => {
    expect(await steady('paid', (o) => c.owner.act(o.id, 'accept', o.version), 200)).toBe(1);
  });

  it('accept with If-Match: * and an Idempotency-Key: 2 — take the key and read the order in one statement, then one statement that changes it and completes the record', async () => {
    const anyVersion = (o: { id: string }) => c.owner.act(o.id, 'accept', null, { 'if-match': '*' });
    expect(await steady('paid', anyVersion, 200)).toBe(2);
  });

  it('a pay: 2 — take the key and read the order in one statement, then (after the provider charged) one statement that changes the order, records the payment and completes the key', async () => {
    expect(await steady('pending', (o) => c.customer.act(o.id, 'pay', o.version), 200)).toBe(2);
  });

  it('tRPC orders.pay with an idempotencyKey: 2, as over REST', async () => {
    const pay = (o: { id: string; version: number }) =>
      c.customer.post('/trpc/orders.pay', {
        orderId: o.id,
        expectedVersion: o.version,
        idempotencyKey: crypto.randomUUID(),
      });
    expect(await steady('pending', pay, 200)).toBe(2);
  });

  it('a keyed pay of an order that does not exist: 404 from the read that came with the lease, stored for its retry (2: take the key and read, then complete the key)', async () => {
    const pay = (id: string, key: string) => c.customer.act(id, 'pay', 1, { 'idempotency-key': key });
    expect((await pay(crypto.randomUUID(), crypto.randomUUID())).status).toBe(404); // prepares its statements
    const [missing, key] = [crypto.randomUUID(), crypto.randomUUID()];
    const res = await pay(missing, key);
    expect({ status: res.status, code: res.body.code, trips: roundTrips(res) }).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      trips: 2,
    });
    const retry = await pay(missing, key);
    expect({ status: retry.status, replayed: retry.headers.get('idempotent-replayed') }).toEqual({
      status: 404,
      replayed: 'true',
    });
  });

  it('a create: 1 — one statement that prices the lines from the menu and inserts the order, its items, its event and the key’s record; its replay: 1', async () => {
    const menu = await demoMenu(t);
    const body = {
      restaurantId: menu.restaurantId,
      items: menu.menuItemIds.map((menuItemId) => ({ menuItemId, quantity: 1 })),
    };
    const create = (key = crypto.randomUUID()) =>
      c.customer.post('/api/v2/orders', body, { 'idempotency-key': key });
    expect((await create()).status).toBe(201); // its statements prepared on the one connection
    const key = crypto.randomUUID();
    const created = await create(key);
    expect(created.status).toBe(201);
    expect(roundTrips(created)).toBe(1);

    const replay = await create(key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);
    expect(roundTrips(replay)).toBe(1);
  });

  it('the replay of a keyed accept: 1', async () => {
    const order = await orderIn(t, c, 'paid');
    const key = { 'idempotency-key': `rt-${crypto.randomUUID()}` };
    expect((await c.owner.act(order.id, 'accept', order.version, key)).status).toBe(200);
    const replay = await c.owner.act(order.id, 'accept', order.version, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(roundTrips(replay)).toBe(1);
  });
});
