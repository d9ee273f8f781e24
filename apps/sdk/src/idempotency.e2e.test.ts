/**
 * One idempotency key per logical operation, proved where it matters: the API process replays the
 * first answer for a retried key, and the fake payment provider's ledger — read from the provider
 * itself, not inferred — shows a single charge however the network failed in between.
 */
import { orders } from '@quickeats/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRestClient, type RestClient } from './rest/client';
import type { RetryEvent } from './retry-policy';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  type FaultProxy,
  startFaultProxy,
  startTestStack,
  type TestStack,
} from './testing';
import { createTrpcClient } from './trpc/client';
import type { Order } from './types';

let stack: TestStack;
let proxy: FaultProxy;
let menu: DemoMenu;
let retries: RetryEvent[];
const retry = { baseDelayMs: 20, maxDelayMs: 200, onRetry: (e: RetryEvent) => retries.push(e) };

async function customerRest(): Promise<RestClient> {
  const client = createRestClient({ baseUrl: proxy.url, retry });
  await client.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
  return client;
}

async function pendingOrder(client: RestClient, note?: string): Promise<Order> {
  return client.orders.create({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
    ...(note ? { note } : {}),
  });
}

const chargesFor = async (orderId: string) =>
  (await stack.providerAdmin.ledger()).charges.filter((c) => c.orderId === orderId);

beforeAll(async () => {
  // A short lease keeps Retry-After (the lease's remaining seconds) small in the in-flight case.
  stack = await startTestStack({ orders: 10, env: { IDEMPOTENCY_LEASE_SECONDS: '3' } });
  proxy = await startFaultProxy(stack.apiUrl);
  menu = await demoMenu(stack);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});
beforeEach(async () => {
  proxy.reset();
  retries = [];
  await stack.providerAdmin.clearFaults();
});

describe('idempotency keys across retries, against a real API and payment provider', () => {
  it('REST pay: the answer is lost after the charge; the retry replays it with the same key; one charge', async () => {
    const customer = await customerRest();
    const order = await pendingOrder(customer);
    proxy.reset();
    proxy.inject({ method: 'POST', path: /\/pay$/, fault: 'drop-after-response' });

    const paid = await customer.orders.pay(order);
    expect(paid).toMatchObject({ id: order.id, status: 'paid', version: 2 });

    const pays = proxy.requests.filter((r) => r.path.endsWith('/pay'));
    expect(pays.map((r) => [r.upstreamStatus, r.clientStatus, r.replayed])).toEqual([
      [200, null, false],
      [200, 200, true],
    ]);
    expect(pays[1]?.idempotencyKey).toBe(pays[0]?.idempotencyKey);
    expect(pays[1]?.ifMatch).toBe('"v1"');
    expect(retries.map((r) => r.reason)).toEqual(['network-error']);
    expect(await chargesFor(order.id)).toHaveLength(1);
  });

  it('REST pay: the retry finds the first attempt still running, waits its Retry-After, then gets the replay', async () => {
    const customer = await customerRest();
    const order = await pendingOrder(customer);
    proxy.reset();
    // The provider takes a while to charge; the proxy gives up on the client at once.
    await stack.providerAdmin.setFaults({ latency: { ms: 1500, on: ['charge'] } });
    proxy.inject({ method: 'POST', path: /\/pay$/, fault: 'drop-after-forward' });

    const paid = await customer.orders.pay(order);
    expect(paid).toMatchObject({ status: 'paid', version: 2 });
    await proxy.settled();

    const pays = proxy.requests.filter((r) => r.path.endsWith('/pay'));
    expect(new Set(pays.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(pays[0]?.fault).toBe('drop-after-forward');
    expect(pays.some((r) => r.upstreamStatus === 409)).toBe(true);
    expect(pays.at(-1)).toMatchObject({ clientStatus: 200, replayed: true });
    const inFlight = retries.filter((r) => r.reason === 'in-flight');
    expect(inFlight.length).toBeGreaterThan(0);
    // Retry-After is whole seconds (≥ 1): the SDK waited at least that long, not its 20 ms backoff.
    for (const r of inFlight) expect(r.delayMs).toBeGreaterThanOrEqual(1000);
    expect(await chargesFor(order.id)).toHaveLength(1);
  });

  it('REST create: a lost 201 does not place a second order', async () => {
    const customer = await customerRest();
    const marker = `sdk-create-${Date.now()}`;
    proxy.inject({ method: 'POST', path: /^\/api\/v2\/orders$/, fault: 'drop-after-response' });

    const order = await pendingOrder(customer, marker);
    const creates = proxy.requests.filter((r) => r.path === '/api/v2/orders');
    expect(creates.map((r) => [r.upstreamStatus, r.replayed])).toEqual([
      [201, false],
      [201, true],
    ]);
    const rows = await stack.database.db
      .select({ id: orders.id })
      .from(orders)
      .where(eq(orders.note, marker));
    expect(rows).toEqual([{ id: order.id }]);
  });

  it('tRPC pay: the retried mutation carries the same idempotencyKey; one charge', async () => {
    const rest = await customerRest();
    const order = await pendingOrder(rest);
    const customer = createTrpcClient({ baseUrl: proxy.url, retry });
    await customer.login(DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
    proxy.reset();
    proxy.inject({ method: 'POST', path: /orders\.pay$/, fault: 'drop-after-response' });

    const paid = await customer.orders.pay(order);
    expect(paid).toMatchObject({ status: 'paid', version: 2 });
    const pays = proxy.requests.filter((r) => r.path.endsWith('orders.pay'));
    expect(pays).toHaveLength(2);
    expect(pays[0]?.idempotencyKey).toEqual(expect.any(String));
    expect(pays[1]?.idempotencyKey).toBe(pays[0]?.idempotencyKey);
    expect(pays.map((r) => r.upstreamStatus)).toEqual([200, 200]);
    expect(await chargesFor(order.id)).toHaveLength(1);
  });
});
