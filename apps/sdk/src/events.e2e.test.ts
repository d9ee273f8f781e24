/**
 * `client.events.subscribe()` on both transports against real API processes: changes made through
 * one process reach subscribers connected to another; scoping; resume with `lastEventId`; a
 * subscriber survives its API process restarting (it reconnects elsewhere and misses nothing).
 */
import type { OrderStreamEvent } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuickEatsApiError } from './errors';
import { createRestClient } from './rest/client';
import {
  type ApiProcess,
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  type DemoMenu,
  demoMenu,
  startApiProcess,
  startTestStack,
  type TestStack,
} from './testing';
import { createTrpcClient } from './trpc/client';
import type { QuickEatsClient } from './types';

let stack: TestStack;
let second: ApiProcess;
let menu: DemoMenu;
const aborts: AbortController[] = [];

beforeAll(async () => {
  stack = await startTestStack({ orders: 10 });
  second = await startApi();
  menu = await demoMenu(stack);
});
afterAll(async () => {
  for (const a of aborts) a.abort();
  await second?.stop();
  await stack?.close();
});

async function as(make: typeof createRestClient | typeof createTrpcClient, baseUrl: string, email: string) {
  const client = make({ baseUrl });
  await client.login(email, DEMO_PASSWORD);
  return client;
}

/** Collect a subscription's events in the background. */
function collect(client: QuickEatsClient, options: { orderId?: string; lastEventId?: string } = {}) {
  const abort = new AbortController();
  aborts.push(abort);
  const events: OrderStreamEvent[] = [];
  const statuses: string[] = [];
  const errs: string[] = [];
  const done = (async () => {
    for await (const e of client.events.subscribe({
      ...options,
      signal: abort.signal,
      onStatus: (s, e) => {
        statuses.push(s);
        if (e) errs.push(String(e));
      },
    }))
      events.push(e);
  })();
  done.catch(() => {});
  return { events, errs, statuses, stop: () => abort.abort(), done };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function newPaidOrder(customer: QuickEatsClient) {
  const order = await customer.orders.create({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 1 }],
  });
  return customer.orders.pay(order);
}

describe('events.subscribe', () => {
  it('REST and tRPC subscribers on one process see changes made through the other, scoped per caller', async () => {
    const owner = collect(await as(createRestClient, second.url, DEMO_ACCOUNTS.owner));
    const customerLive = collect(await as(createTrpcClient, second.url, DEMO_ACCOUNTS.customer));
    const stranger = collect(await as(createTrpcClient, second.url, 'customer2@quickeats.test'));
    await waitFor('the streams to open', () =>
      [owner, customerLive, stranger].every((s) => s.statuses.includes('open')),
    );

    const customer = await as(createRestClient, stack.apiUrl, DEMO_ACCOUNTS.customer);
    const paid = await newPaidOrder(customer);
    const ownerClient = await as(createTrpcClient, stack.apiUrl, DEMO_ACCOUNTS.owner);
    await ownerClient.orders.accept(paid);

    const ofOrder = (s: { events: OrderStreamEvent[] }) => s.events.filter((e) => e.orderId === paid.id);
    await waitFor('three events each', () => ofOrder(owner).length >= 3 && ofOrder(customerLive).length >= 3);
    expect(ofOrder(customerLive).map((e) => e.type)).toEqual([
      'order.created',
      'order.paid',
      'order.accepted',
    ]);
    expect(ofOrder(owner)).toEqual(ofOrder(customerLive));
    expect(stranger.events.filter((e) => e.orderId === paid.id)).toEqual([]);
  });

  it('resumes after lastEventId on both transports, and refuses an order the caller may not see', async () => {
    const customer = await as(createRestClient, stack.apiUrl, DEMO_ACCOUNTS.customer);
    const paid = await newPaidOrder(customer);
    for (const make of [createRestClient, createTrpcClient]) {
      const client = await as(make, second.url, DEMO_ACCOUNTS.customer);
      const all = collect(client, { orderId: paid.id, lastEventId: '1' });
      await waitFor('the two events', () => all.events.length >= 2);
      all.stop();
      const resumed = collect(client, { orderId: paid.id, lastEventId: all.events[0]!.position });
      await waitFor('the event after the first', () => resumed.events.length >= 1);
      expect(resumed.events[0]).toEqual(all.events[1]);
      resumed.stop();

      const stranger = await as(make, second.url, 'customer2@quickeats.test');
      const refused = collect(stranger, { orderId: paid.id });
      const error = await refused.done.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QuickEatsApiError);
      expect((error as QuickEatsApiError).code).toBe('NOT_FOUND');
    }
  });

  it('a subscriber whose API process restarts reconnects and misses nothing', async () => {
    let api = await startApi();
    // A stable address in front of the API, as a load balancer would be.
    const forwarder = await startForwarder(api.url);
    try {
      const admin = collect(await as(createRestClient, forwarder.url, DEMO_ACCOUNTS.admin));
      const trpcAdmin = collect(await as(createTrpcClient, forwarder.url, DEMO_ACCOUNTS.admin));
      await waitFor(
        'the streams to open',
        () => admin.statuses.includes('open') && trpcAdmin.statuses.includes('open'),
      );
      const customer = await as(createRestClient, stack.apiUrl, DEMO_ACCOUNTS.customer);
      const before = await newPaidOrder(customer);
      const seen = (s: { events: OrderStreamEvent[] }, id: string) =>
        s.events.some((e) => e.orderId === id && e.version === 2);
      await waitFor('the first order’s events', () => seen(admin, before.id) && seen(trpcAdmin, before.id));

      await api.stop();
      const during = await newPaidOrder(customer); // while the subscribers' process is down
      api = await startApi();
      forwarder.target = api.url;
      await waitFor(
        'the events made while it was down',
        () => seen(admin, during.id) && seen(trpcAdmin, during.id),
        90_000,
      ).catch((err: unknown) => {
        throw new Error(
          `${String(err)}: REST ${seen(admin, during.id)} ${admin.statuses.join()} ${admin.errs.join()}; tRPC ${seen(trpcAdmin, during.id)} ${trpcAdmin.statuses.join()} ${trpcAdmin.errs.join()}`,
        );
      });
      for (const s of [admin, trpcAdmin]) {
        const positions = s.events.map((e) => e.position);
        expect(new Set(positions).size).toBe(positions.length);
        expect(s.events.filter((e) => e.orderId === during.id).map((e) => e.type)).toEqual([
          'order.created',
          'order.paid',
        ]);
      }
      expect(admin.statuses).toContain('reconnecting');
    } finally {
      await forwarder.close();
      await api.stop();
    }
  });
});

/** Another API process on the stack's database. */
const startApi = (): Promise<ApiProcess> =>
  startApiProcess({ DATABASE_URL: stack.database.url, PAYMENT_PROVIDER_URL: stack.provider.url });

/** A TCP forwarder whose target can change: a fixed address in front of API processes that come and go. */
async function startForwarder(target: string) {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const state = { target };
  const server = createServer((client) => {
    const { hostname, port } = new URL(state.target);
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set target(url: string) {
      state.target = url;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
