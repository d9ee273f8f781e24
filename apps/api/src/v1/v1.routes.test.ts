import { type DemoWorld, loadDemoWorld, menuItems, orderEvents, orders, payments } from '@quickeats/db';
import { InMemoryPaymentProvider } from '@quickeats/domain';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { V1_ORDER_RELATIONS } from './legacy-relations';
import { V1_MIGRATION_GUIDE_URL } from './v1.routes';

// Dates chosen so a wrong source (defaults, local time, rounding) shows in the headers.
const DEPRECATION = '2026-11-01T09:30:15Z';
const SUNSET = '2027-06-30T18:00:00+02:00';
const DEPRECATION_HEADER = `@${Date.parse(DEPRECATION) / 1000}`;
const SUNSET_HEADER = 'Wed, 30 Jun 2027 16:00:00 GMT';
const OTHER_ID = '00000000-0000-4000-8000-000000000000';

interface V1Order {
  id: string;
  status: string;
  version: number;
  note: string | null;
  riderId: string | null;
  [k: string]: unknown;
}

let t: TestApp;
let world: DemoWorld;
let provider: InMemoryPaymentProvider;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  provider = new InMemoryPaymentProvider();
  t = await createTestApp({
    seed: { orders: 20 },
    env: { V1_DEPRECATION_DATE: DEPRECATION, V1_SUNSET_DATE: SUNSET },
    paymentProvider: provider,
  });
  world = await loadDemoWorld(t.database.db);
  for (const [party, email] of Object.entries(DEMO_ACCOUNTS)) tokens[party] = await t.tokenFor(email);
  tokens.customer2 = await t.tokenFor('customer2@quickeats.test');
});
afterAll(() => t?.close());

function call(method: string, path: string, options: { as?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.as) headers.authorization = `Bearer ${tokens[options.as]}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  return t.app.request(`/api/v1${path}`, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
}

async function createOrder(quantity = 1): Promise<V1Order> {
  const res = await call('POST', '/orders', {
    as: 'customer',
    body: { restaurantId: world.restaurantId, items: [{ menuItemId: world.menuItemId, quantity }] },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as V1Order;
}

async function orderRow(id: string) {
  const [row] = await t.database.db.select().from(orders).where(eq(orders.id, id));
  return row!;
}

async function eventCount(id: string) {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(orderEvents)
    .where(eq(orderEvents.orderId, id));
  return row!.n;
}

function expectDeprecationHeaders(res: Response, successor: string) {
  expect(res.headers.get('deprecation')).toBe(DEPRECATION_HEADER);
  expect(res.headers.get('sunset')).toBe(SUNSET_HEADER);
  expect(res.headers.get('link')).toBe(
    `<${successor}>; rel="successor-version", <${V1_MIGRATION_GUIDE_URL}>; rel="deprecation"`,
  );
}

describe('v1 deprecation headers (RFC 9745, RFC 8594, RFC 8288)', () => {
  it('are on a successful response, with the dates from configuration', async () => {
    const res = await call('GET', '/orders', { as: 'admin' });
    expect(res.status).toBe(200);
    expectDeprecationHeaders(res, '/api/v2/orders');
  });

  it('are on a 401, which is a v1 error body with WWW-Authenticate (RFC 6750 §3)', async () => {
    const res = await call('GET', '/orders');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toEqual({ error: expect.stringContaining('Authorization') });
    // Old apps that lost their token must still learn the API is going away.
    expectDeprecationHeaders(res, '/api/v2/orders');
  });

  it('are on 400 and 404 errors, and on routes v1 never had', async () => {
    const order = await createOrder();
    const bad = await call('PUT', `/orders/${order.id}`, { as: 'customer', body: { status: 'teleported' } });
    expect(bad.status).toBe(400);
    expectDeprecationHeaders(bad, `/api/v2/orders/${order.id}`);
    const missing = await call('GET', `/orders/${OTHER_ID}`, { as: 'admin' });
    expect(missing.status).toBe(404);
    expectDeprecationHeaders(missing, `/api/v2/orders/${OTHER_ID}`);
    for (const path of ['/api/v1/restaurants', '/api/v1']) {
      const unknown = await t.app.request(path);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: expect.any(String) });
      expectDeprecationHeaders(unknown, '/api/v2/orders');
    }
  });

  it('point each request at its v2 successor, down to the action a PUT performs', async () => {
    const order = await createOrder();
    const get = await call('GET', `/orders/${order.id}`, { as: 'customer' });
    expectDeprecationHeaders(get, `/api/v2/orders/${order.id}`);
    const cancel = await call('PUT', `/orders/${order.id}`, {
      as: 'customer',
      body: { status: 'cancelled' },
    });
    expect(cancel.status).toBe(200);
    expectDeprecationHeaders(cancel, `/api/v2/orders/${order.id}/cancel`);
    const pay = await call('POST', `/orders/${order.id}/payment`, { as: 'customer2' });
    expectDeprecationHeaders(pay, `/api/v2/orders/${order.id}/pay`);
    const create = await call('POST', '/orders', { as: 'customer', body: {} });
    expectDeprecationHeaders(create, '/api/v2/orders');
  });

  it('are absent from v2 responses', async () => {
    const res = await t.app.request('/api/v2/me', {
      headers: { authorization: `Bearer ${tokens.customer}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(res.headers.get('sunset')).toBeNull();
  });
});

describe('v1 validation: 400 { error } and nothing changes', () => {
  it('refuses an unknown status, a bad riderId, an empty update and malformed JSON', async () => {
    const order = await createOrder();
    const bodies = [
      { body: { status: 'teleported' }, mentions: 'status' },
      { body: { riderId: 'not-a-uuid' }, mentions: 'riderId' },
      { body: { note: 42 }, mentions: 'note' },
      { body: {}, mentions: 'at least one' },
      { body: [], mentions: 'Invalid' },
      { raw: '{"status":', mentions: 'JSON' },
      { raw: '', mentions: 'JSON' },
    ];
    for (const b of bodies) {
      const res = await call('PUT', `/orders/${order.id}`, { as: 'admin', ...b });
      expect(res.status, JSON.stringify(b)).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toContain(b.mentions);
    }
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ status: 'pending', version: 1, note: null, riderId: null });
    expect(await eventCount(order.id)).toBe(1);
  });

  it('refuses a rider id that names no rider (400, not a foreign-key 500)', async () => {
    const order = await createOrder();
    const customer = await t.actorFor(DEMO_ACCOUNTS.customer);
    for (const riderId of [OTHER_ID, customer.userId]) {
      const res = await call('PUT', `/orders/${order.id}`, { as: 'admin', body: { riderId } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'riderId: no such rider' });
    }
    expect((await orderRow(order.id)).version).toBe(1);
  });

  it('refuses bad list queries and order bodies, creating nothing', async () => {
    for (const q of ['limit=0', 'limit=1000', 'limit=ten', 'offset=-1', 'status=lost']) {
      const res = await call('GET', `/orders?${q}`, { as: 'admin' });
      expect(res.status, q).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringContaining('query.') });
    }
    const [before] = await t.database.db.select({ n: count() }).from(orders);
    const invalid = [
      {},
      { restaurantId: world.restaurantId, items: [] },
      { restaurantId: world.restaurantId, items: [{ menuItemId: world.menuItemId, quantity: 0 }] },
      { restaurantId: OTHER_ID, items: [{ menuItemId: world.menuItemId, quantity: 1 }] },
      { restaurantId: world.restaurantId, items: [{ menuItemId: OTHER_ID, quantity: 1 }] },
    ];
    for (const body of invalid) {
      const res = await call('POST', '/orders', { as: 'customer', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ error: expect.any(String) });
    }
    const [after] = await t.database.db.select({ n: count() }).from(orders);
    expect(after!.n).toBe(before!.n);
  });

  it('refuses an order whose total overflows the total column (400, not a database error)', async () => {
    const [dish] = await t.database.db
      .insert(menuItems)
      .values({
        restaurantId: world.restaurantId,
        name: 'Gold Leaf Banquet',
        priceAmount: 2_000_000_000,
        currency: 'USD',
      })
      .returning();
    const res = await call('POST', '/orders', {
      as: 'customer',
      body: { restaurantId: world.restaurantId, items: [{ menuItemId: dish!.id, quantity: 2 }] },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining('total') });
  });

  it('answers a non-UUID order id with 404, never a database error', async () => {
    for (const [method, path] of [
      ['GET', '/orders/42'],
      ['PUT', '/orders/42'],
      ['POST', '/orders/42/payment'],
    ] as const) {
      const res = await call(method, path, {
        as: 'admin',
        ...(method === 'PUT' ? { body: { status: 'cancelled' } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ error: 'Order not found' });
    }
  });

  it('answers an oversized body with 413 { error } and the deprecation headers', async () => {
    const order = await createOrder();
    const res = await call('PUT', `/orders/${order.id}`, {
      as: 'customer',
      body: { note: 'x'.repeat(t.deps.config.bodyLimitBytes) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: expect.stringContaining('limited') });
    expect(res.headers.get('deprecation')).toBe(DEPRECATION_HEADER);
  });
});

describe('v1 orders', () => {
  it('creates an order priced from the menu, with its create event, and returns it nested', async () => {
    // `extra` is ignored, not refused: v1 always tolerated fields it does not know (v2 refuses them).
    const res = await call('POST', '/orders', {
      as: 'customer',
      body: {
        restaurantId: world.restaurantId,
        items: [{ menuItemId: world.menuItemId, quantity: 3 }],
        extra: 1,
      },
    });
    expect(res.status).toBe(201);
    const order = (await res.json()) as V1Order & {
      items: { unitPriceAmount: number }[];
      totalAmount: number;
    };
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(order).toMatchObject({ status: 'pending', version: 1 });
    expect(order.totalAmount).toBe(3 * order.items[0]!.unitPriceAmount);
    // Every relation is nested, payment and audit log included: v1 returns everything.
    for (const relation of ['restaurant', 'customer', 'rider', 'items', 'payment', 'events'])
      expect(order).toHaveProperty(relation);
    expect(order.events).toHaveLength(1);
  });

  it('reads one order with 1 + k statements, k being the relations it nests', async () => {
    const order = await createOrder();
    const res = await call('GET', `/orders/${order.id}`, { as: 'customer' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-sql-statements'))).toBe(1 + V1_ORDER_RELATIONS.length);
  });

  it('hides other customers’ orders (404) and lets no role write what it may never write (403)', async () => {
    const order = await createOrder();
    expect((await call('GET', `/orders/${order.id}`, { as: 'customer2' })).status).toBe(404);
    expect((await call('PUT', `/orders/${order.id}`, { as: 'customer2', body: { note: 'x' } })).status).toBe(
      404,
    );
    const accept = await call('PUT', `/orders/${order.id}`, { as: 'customer', body: { status: 'accepted' } });
    expect(accept.status).toBe(403);
    expect(await accept.json()).toEqual({ error: expect.any(String) });
    const create = await call('POST', '/orders', {
      as: 'owner',
      body: { restaurantId: world.restaurantId, items: [{ menuItemId: world.menuItemId, quantity: 1 }] },
    });
    expect(create.status).toBe(403);
    expect((await orderRow(order.id)).version).toBe(1);
  });

  it('bumps the version on every write and logs an event only for status writes (the legacy gaps)', async () => {
    const order = await createOrder();
    const noted = await call('PUT', `/orders/${order.id}`, { as: 'customer', body: { note: 'ring twice' } });
    expect(noted.status).toBe(200);
    expect(await noted.json()).toMatchObject({ version: 2, note: 'ring twice', status: 'pending' });
    expect(await eventCount(order.id)).toBe(1);
    const cancelled = await call('PUT', `/orders/${order.id}`, {
      as: 'customer',
      body: { status: 'cancelled' },
    });
    expect(await cancelled.json()).toMatchObject({ version: 3, status: 'cancelled' });
    const events = await t.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
    expect(events.map((e) => [e.version, e.action, e.fromStatus, e.toStatus])).toEqual(
      expect.arrayContaining([[3, 'cancel', 'pending', 'cancelled']]),
    );
    expect(events).toHaveLength(2);
  });

  it('lets the restaurant assign a rider and the customer pay, recording one payment row', async () => {
    const order = await createOrder();
    const rider = await t.actorFor(DEMO_ACCOUNTS.rider);
    const assigned = await call('PUT', `/orders/${order.id}`, {
      as: 'owner',
      body: { riderId: rider.userId },
    });
    expect(await assigned.json()).toMatchObject({ riderId: rider.userId, version: 2 });
    const paid = await call('POST', `/orders/${order.id}/payment`, { as: 'customer' });
    expect(paid.status).toBe(200);
    const body = (await paid.json()) as { order: V1Order; payment: { providerReference: string } };
    expect(body.order).toMatchObject({ status: 'paid', version: 3 });
    expect(provider.charges.size).toBeGreaterThan(0);
    const rows = await t.database.db.select().from(payments).where(eq(payments.orderId, order.id));
    expect(rows.map((p) => p.providerReference)).toEqual([body.payment.providerReference]);
    // Only the order's customer pays, and never for a cancelled order.
    expect((await call('POST', `/orders/${order.id}/payment`, { as: 'admin' })).status).toBe(403);
  });

  it('refuses to charge a cancelled order (409) without calling the provider', async () => {
    const order = await createOrder();
    await call('PUT', `/orders/${order.id}`, { as: 'customer', body: { status: 'cancelled' } });
    const before = provider.charges.size;
    const res = await call('POST', `/orders/${order.id}/payment`, { as: 'customer' });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'Order is cancelled' });
    expect(provider.charges.size).toBe(before);
  });

  it('lists only what the caller may see, filtered by status', async () => {
    const res = await call('GET', '/orders?status=pending&limit=100', { as: 'customer' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orders: V1Order[]; count: number };
    const customer = await t.actorFor(DEMO_ACCOUNTS.customer);
    expect(body.count).toBe(body.orders.length);
    expect(body.orders.length).toBeGreaterThan(0);
    for (const o of body.orders) expect(o).toMatchObject({ status: 'pending', customerId: customer.userId });
  });
});

describe('v1 personal data (what v2 never shows)', () => {
  interface Person {
    id: string;
    email: string | null;
  }
  interface Nested extends V1Order {
    customer: Person;
    rider: Person | null;
    payment: { providerReference: string | null; refundReference: string | null } | null;
  }

  it('shows an e-mail only to its owner (and admins), provider references only to the payer (and admins)', async () => {
    const order = await createOrder();
    const paid = await call('POST', `/orders/${order.id}/payment`, { as: 'customer' });
    const { payment } = (await paid.json()) as { payment: { providerReference: string } };
    expect(payment.providerReference).toEqual(expect.any(String));
    const ready = await call('PUT', `/orders/${order.id}`, { as: 'owner', body: { status: 'ready' } });
    expect(ready.status).toBe(200);

    const read = async (as: string): Promise<Nested> => {
      const one = await call('GET', `/orders/${order.id}`, { as });
      expect(one.status).toBe(200);
      const list = await call('GET', '/orders?status=ready&limit=100', { as });
      const listed = ((await list.json()) as { orders: Nested[] }).orders.find((o) => o.id === order.id);
      const body = (await one.json()) as Nested;
      // The list nests the same representation as the single read.
      expect(listed).toEqual(body);
      return body;
    };

    // The restaurant, and any rider (a `ready` order is visible to every rider): the legacy shape,
    // the keys kept, the personal values blanked.
    for (const as of ['owner', 'rider']) {
      const seen = await read(as);
      expect(seen.customer).toMatchObject({ id: expect.any(String), email: null });
      expect(seen.payment).toMatchObject({ providerReference: null, refundReference: null });
      expect(JSON.stringify(seen)).not.toContain('@quickeats.test');
      expect(JSON.stringify(seen)).not.toContain(payment.providerReference);
    }
    // The customer sees their own e-mail and payment; an admin sees everything, as before.
    for (const as of ['customer', 'admin']) {
      const seen = await read(as);
      expect(seen.customer.email).toBe(DEMO_ACCOUNTS.customer);
      expect(seen.payment?.providerReference).toBe(payment.providerReference);
    }
  });

  it('shows the assigned rider their own e-mail, not the customer’s; the customer not the rider’s', async () => {
    const order = await createOrder();
    const rider = await t.actorFor(DEMO_ACCOUNTS.rider);
    await call('PUT', `/orders/${order.id}`, { as: 'owner', body: { riderId: rider.userId } });
    const byRider = (await (await call('GET', `/orders/${order.id}`, { as: 'rider' })).json()) as Nested;
    expect(byRider.rider).toMatchObject({ id: rider.userId, email: DEMO_ACCOUNTS.rider });
    expect(byRider.customer.email).toBeNull();
    const byCustomer = (await (
      await call('GET', `/orders/${order.id}`, { as: 'customer' })
    ).json()) as Nested;
    expect(byCustomer.rider).toMatchObject({ id: rider.userId, email: null });
    expect(byCustomer.customer.email).toBe(DEMO_ACCOUNTS.customer);
  });
});
