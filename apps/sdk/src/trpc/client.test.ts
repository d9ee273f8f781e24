/**
 * The tRPC client against a real API process, through the fault proxy: the same retry policy and
 * typed errors as REST, with `expectedVersion` taken from the order the caller holds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidTransitionError,
  QuickEatsApiError,
  QuickEatsNetworkError,
  StaleVersionError,
} from '../errors';
import { createRestClient } from '../rest/client';
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
import type { Order } from '../types';
import { createTrpcClient, type TrpcClient } from './client';

let stack: TestStack;
let proxy: FaultProxy;
let menu: DemoMenu;
let retries: RetryEvent[];
const retry = { baseDelayMs: 20, maxDelayMs: 200, onRetry: (e: RetryEvent) => retries.push(e) };

async function loggedIn(email: string): Promise<TrpcClient> {
  const client = createTrpcClient({ baseUrl: proxy.url, retry });
  await client.login(email, DEMO_PASSWORD);
  return client;
}

/** A paid order of the demo owner's restaurant, placed through REST (setup, not under test). */
async function paidOrder(): Promise<Order> {
  const customer = createRestClient({ baseUrl: stack.apiUrl });
  await customer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
  const order = await customer.orders.create({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
  });
  return customer.orders.pay(order);
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

describe('tRPC client against a real API', () => {
  it('reads an order and acts on it with expectedVersion from the representation held', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const order = await owner.orders.get(id);
    expect(order).toMatchObject({ id, status: 'paid', version: 2 });
    expect(order.allowedActions).toEqual(expect.arrayContaining(['accept', 'reject']));

    const accepted = await owner.orders.accept(order);
    expect(accepted).toMatchObject({ status: 'accepted', version: 3 });
    const ready = await owner.orders.markReady(id);
    expect(ready).toMatchObject({ status: 'ready', version: 4 });
    expect(owner.versions.get(id)).toBe(4);
  });

  it('lists paid orders and restaurants with the same shapes as REST', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const page = await owner.orders.list({ status: 'paid', pageSize: 100 });
    const mine = page.items.find((o) => o.id === id);
    expect(mine).toMatchObject({ status: 'paid', version: 2, restaurantId: menu.restaurantId });
    expect(mine?.items).toHaveLength(1);
    expect(page.items.every((o) => o.status === 'paid')).toBe(true);
    expect(owner.versions.get(id)).toBe(2);

    const restaurants = await owner.restaurants.list();
    expect(restaurants.items.map((r) => r.name)).toContain('Seoul Kitchen');
    const restaurant = await owner.restaurants.get(menu.restaurantId);
    expect(restaurant.menuItems.map((m) => m.id)).toEqual(expect.arrayContaining(menu.menuItemIds));
  });

  it('surfaces a stale expectedVersion as StaleVersionError, sent once', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const other = await loggedIn(DEMO_ACCOUNTS.owner);
    const seen = await owner.orders.get(id);
    await other.orders.reject(await other.orders.get(id), { reason: 'out of rice' });
    proxy.reset();

    const err = await owner.orders.accept(seen).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleVersionError);
    expect(err).toMatchObject({
      status: 412,
      code: 'PRECONDITION_FAILED',
      currentVersion: 3,
      transport: 'trpc',
    });
    expect(calls('POST', /orders\.accept/)).toHaveLength(1);

    const refused = await owner.orders.accept(await owner.orders.get(id)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTransitionError);
    expect((refused as InvalidTransitionError).allowedActions).toEqual([]);
    expect(retries).toEqual([]);
  });

  it('retries a query after a dropped connection and a 503', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    proxy.inject({ method: 'GET', path: /orders\.get/, fault: 'drop-before' });
    proxy.inject({ method: 'GET', path: /orders\.get/, fault: { status: 503 } });
    const order = await owner.orders.get(id);
    expect(order.id).toBe(id);
    expect(calls('GET', /orders\.get/).map((r) => r.fault)).toEqual(['drop-before', 'status-503', null]);
    expect(retries.map((r) => r.reason)).toEqual(['network-error', 'server-error']);
  });

  it('retries an action on a 503 with the same idempotencyKey', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const order = await owner.orders.get(id);
    proxy.inject({ method: 'POST', path: /orders\.accept/, fault: { status: 503 } });
    const accepted = await owner.orders.accept(order);
    expect(accepted).toMatchObject({ status: 'accepted', version: 3 });
    const sent = calls('POST', /orders\.accept/);
    expect(sent.map((r) => r.clientStatus)).toEqual([503, 200]);
    expect(sent[0]?.idempotencyKey).toEqual(expect.any(String));
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
    expect(retries.map((r) => r.reason)).toEqual(['server-error']);
  });

  it('never retries a mutation sent without an idempotency key (raw tRPC call), on a 503 or a drop', async () => {
    const { id } = await paidOrder();
    const owner = await loggedIn(DEMO_ACCOUNTS.owner);
    const input = { orderId: id, expectedVersion: 2 };
    proxy.inject({ method: 'POST', path: /orders\.accept/, fault: { status: 503 } });
    const err = await owner.trpc.orders.accept.mutate(input).catch((e: unknown) => e);
    expect((err as { meta?: { response?: Response } }).meta?.response?.status).toBe(503);

    proxy.inject({ method: 'POST', path: /orders\.accept/, fault: 'drop-before' });
    const dropped = await owner.trpc.orders.accept.mutate(input).catch((e: unknown) => e);
    expect((dropped as Error).cause).toBeInstanceOf(QuickEatsNetworkError);
    expect(((dropped as Error).cause as QuickEatsNetworkError).attempts).toBe(1);
    expect(calls('POST', /orders\.accept/).map((r) => r.idempotencyKey)).toEqual([null, null]);
    expect(retries).toEqual([]);
    // Neither attempt reached the API: the order is still paid, at version 2.
    expect(await owner.orders.get(id)).toMatchObject({ status: 'paid', version: 2 });
  });

  it('reports an unauthenticated call with the stable code', async () => {
    const anonymous = createTrpcClient({ baseUrl: proxy.url, retry });
    const err = await anonymous.orders.get('5e3c9c57-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuickEatsApiError);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
