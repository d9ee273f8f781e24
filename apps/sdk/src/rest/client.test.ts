/**
 * The REST client against a real API process, through a proxy that breaks the network on purpose.
 * The proxy's request log is the evidence: what was sent, how often, with which key and If-Match.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidTransitionError,
  MissingVersionError,
  QuickEatsApiError,
  QuickEatsNetworkError,
  StaleVersionError,
} from '../errors';
import type { RetryEvent } from '../retry-policy';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  type FaultProxy,
  startFaultProxy,
  startTestStack,
  type TestStack,
} from '../testing';
import { createRestClient, type RestClient } from './client';

let stack: TestStack;
let proxy: FaultProxy;
let menu: DemoMenu;
let retries: RetryEvent[];

// Small delays keep the suite quick; the policy's shape is the same.
const retry = { baseDelayMs: 20, maxDelayMs: 200, onRetry: (e: RetryEvent) => retries.push(e) };

async function loggedIn(email: string): Promise<RestClient> {
  const client = createRestClient({ baseUrl: proxy.url, retry });
  await client.login(email, DEMO_PASSWORD);
  return client;
}

beforeAll(async () => {
  stack = await startTestStack({ orders: 20 });
  proxy = await startFaultProxy(stack.apiUrl);
  menu = await demoMenu(stack);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});
beforeEach(() => {
  proxy.reset();
  retries = [];
});

const calls = (method: string, path: RegExp) =>
  proxy.requests.filter((r) => r.method === method && path.test(r.path));

describe('REST client against a real API', () => {
  it('logs in and sends the token', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const me = await customer.me();
    expect(me).toMatchObject({ email: DEMO_ACCOUNTS.customer, role: 'customer' });
  });

  it('creates and pays an order: one key per operation, If-Match from the order it holds', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const order = await customer.orders.create({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 2 }],
    });
    expect(order).toMatchObject({ status: 'pending', version: 1, restaurantId: menu.restaurantId });
    expect(order.items).toHaveLength(1);
    expect(order.items[0]?.quantity).toBe(2);
    expect(order.allowedActions).toContain('pay');

    const paid = await customer.orders.pay(order);
    expect(paid).toMatchObject({ id: order.id, status: 'paid', version: 2 });

    const [create] = calls('POST', /^\/api\/v2\/orders$/);
    const [pay] = calls('POST', /\/pay$/);
    expect(create?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(pay?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(pay?.idempotencyKey).not.toBe(create?.idempotencyKey);
    expect(pay?.ifMatch).toBe('"v1"');
  });

  it('acts on a bare id with the version of the last representation received', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const order = await customer.orders.create({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
    });
    await customer.orders.pay(order.id);
    const cancelled = await customer.orders.cancel(order.id, { reason: 'changed my mind' });
    expect(cancelled).toMatchObject({ status: 'cancelled', version: 3 });
    expect(calls('POST', /\/(pay|cancel)$/).map((r) => r.ifMatch)).toEqual(['"v1"', '"v2"']);
    expect(customer.versions.get(order.id)).toBe(3);
    await expect(customer.orders.pay('5e3c9c57-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      MissingVersionError,
    );
  });

  it('lists orders by status with their items, page by page, and remembers their versions', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    for (let i = 0; i < 3; i++) {
      const order = await customer.orders.create({
        restaurantId: menu.restaurantId,
        items: [{ menuItemId: menu.menuItemIds[0]!, quantity: i + 1 }],
      });
      await customer.orders.pay(order);
    }
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const first = await owner.orders.list({ status: 'paid', pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await owner.orders.list({ status: ['paid'], pageSize: 2, cursor: first.nextCursor! });
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
    for (const o of all) {
      expect(o.status).toBe('paid');
      expect(o.restaurantId).toBe(menu.restaurantId);
      expect(o.items.length).toBeGreaterThan(0);
      expect(owner.versions.get(o.id)).toBe(o.version);
    }
    expect(calls('GET', /^\/api\/v2\/orders$/)).toHaveLength(2);
  });

  it('lists restaurants and reads one with its menu', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const { items } = await customer.restaurants.list({ pageSize: 100 });
    expect(items.map((r) => r.id)).toContain(menu.restaurantId);
    const restaurant = await customer.restaurants.get(menu.restaurantId);
    expect(restaurant.name).toBe('Seoul Kitchen');
    expect(restaurant.menuItems.map((m) => m.id)).toEqual(expect.arrayContaining(menu.menuItemIds));
    for (const item of restaurant.menuItems) {
      expect(item.restaurantId).toBe(menu.restaurantId);
      expect(item.price).toEqual({ amount: expect.any(Number), currency: restaurant.currency });
    }
  });

  it('surfaces a stale version as StaleVersionError with the current version, and does not retry it', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const created = await customer.orders.create({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
    });
    const paid = await customer.orders.pay(created);
    const seenByOwner = await owner.orders.get(paid.id);
    expect(seenByOwner.version).toBe(2);
    // The customer cancels while the owner is looking at version 2.
    await customer.orders.cancel(paid);
    proxy.reset();

    const err = await owner.orders.accept(seenByOwner).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleVersionError);
    expect(err).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED', currentVersion: 3 });
    expect(calls('POST', /\/accept$/)).toHaveLength(1);

    // Re-read, and the refusal is now about the state: no action is left for the owner.
    const fresh = await owner.orders.get(paid.id);
    const refused = await owner.orders.accept(fresh).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTransitionError);
    expect(refused).toMatchObject({ status: 409, code: 'INVALID_TRANSITION', allowedActions: [] });
    expect(calls('POST', /\/accept$/)).toHaveLength(2);
    expect(retries).toEqual([]);
  });

  it('retries a GET after a dropped connection and after a 503, then succeeds', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const order = await customer.orders.create({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[1]!, quantity: 1 }],
    });
    proxy.reset();
    proxy.inject({ method: 'GET', path: /\/orders\//, fault: 'drop-before' });
    proxy.inject({ method: 'GET', path: /\/orders\//, fault: { status: 503 } });

    const read = await customer.orders.get(order.id);
    expect(read.id).toBe(order.id);
    expect(calls('GET', /\/orders\//).map((r) => r.fault)).toEqual(['drop-before', 'status-503', null]);
    expect(retries.map((r) => r.reason)).toEqual(['network-error', 'server-error']);
  });

  it('retries a keyed POST on a 503 with the same Idempotency-Key', async () => {
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    proxy.inject({ method: 'POST', path: /^\/api\/v2\/orders$/, fault: { status: 503 }, times: 2 });
    const order = await customer.orders.create({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 3 }],
    });
    expect(order.status).toBe('pending');
    const sent = calls('POST', /^\/api\/v2\/orders$/);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(sent.map((r) => r.clientStatus)).toEqual([503, 503, 201]);
  });

  it('never retries a POST without an Idempotency-Key (login), on a 503 or a dropped connection', async () => {
    const client = createRestClient({ baseUrl: proxy.url, retry });
    proxy.inject({ method: 'POST', path: /\/auth\/token$/, fault: { status: 503 } });
    const err = await client.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuickEatsApiError);
    expect((err as QuickEatsApiError).status).toBe(503);

    proxy.inject({ method: 'POST', path: /\/auth\/token$/, fault: 'drop-before' });
    const dropped = await client.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(QuickEatsNetworkError);
    expect((dropped as QuickEatsNetworkError).attempts).toBe(1);

    expect(calls('POST', /\/auth\/token$/)).toHaveLength(2);
    expect(retries).toEqual([]);
  });

  it('never retries a 4xx: a 401 and a 400 are sent once', async () => {
    const anonymous = createRestClient({ baseUrl: proxy.url, retry });
    await expect(anonymous.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const customer = await loggedIn(DEMO_ACCOUNTS.customer);
    const invalid = await customer.orders
      .create({ restaurantId: menu.restaurantId, items: [] })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((invalid as QuickEatsApiError).fieldErrors.map((f) => f.field)).toContain('items');
    expect(calls('GET', /\/me$/)).toHaveLength(1);
    expect(calls('POST', /^\/api\/v2\/orders$/)).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('gives up after maxAttempts with a network error naming the attempts', async () => {
    const customer = createRestClient({
      baseUrl: proxy.url,
      retry: { ...retry, maxAttempts: 3 },
    });
    proxy.inject({ method: 'GET', path: /\/me$/, fault: 'drop-before', times: 5 });
    const err = await customer.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuickEatsNetworkError);
    expect((err as QuickEatsNetworkError).attempts).toBe(3);
    expect(calls('GET', /\/me$/)).toHaveLength(3);
  });
});
