/**
 * The metrics page as Prometheus reads it: parsed with a Prometheus text-format parser, its
 * counters move as a keyed pay, an in-flight 409 and a replay happen; HTTP durations are labelled
 * by route template, tRPC procedure and GraphQL operation; the pool gauge and Node's default
 * metrics are there. The app runs on its own real PostgreSQL database.
 */
import { waitFor } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventHub } from '../events/create-hub';
import { createLogger } from '../logger';
import { ControllableProvider } from '../testing/controllable-provider';
import { answerOf, demoDish, newKey, placeOrder, postInit } from '../testing/orders-fixture';
import { parseScrape } from '../testing/prometheus';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { recordEventLag } from './instrument';
import { createMetrics, METRICS, type Metrics } from './metrics';
import { metricsApp, registrySource } from './metrics-server';

const PAY_ROUTE = '/api/v2/orders/:id/pay';

describe('Prometheus metrics', () => {
  let t: TestApp;
  let metrics: Metrics;
  let provider: ControllableProvider;
  let customer: string;

  const scrape = async () => {
    const res = await metricsApp(registrySource(metrics.registry!)).request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parseScrape(await res.text());
  };
  const post = (path: string, options: Parameters<typeof postInit>[0]) =>
    t.app.request(`/api/v2${path}`, postInit(options));

  beforeAll(async () => {
    metrics = createMetrics();
    provider = new ControllableProvider();
    t = await createTestApp({ metrics, paymentProvider: provider, seed: { orders: 0 } });
    customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
  });
  afterAll(() => t?.close());

  it('exposes every outcome at 0 before anything happened, and the process defaults', async () => {
    const page = await scrape();
    for (const outcome of METRICS.idempotencyOutcomes.values.outcome)
      expect(page.labelSets(METRICS.idempotencyOutcomes.name)).toContainEqual({ outcome });
    expect(page.value(METRICS.idempotencyOutcomes.name)).toBe(0);
    expect(page.value(METRICS.paymentOutcomes.name)).toBe(0);
    // Node's defaults: event-loop lag, CPU, heap.
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ])
      expect(page.families.map((f) => f.name)).toContain(name);
    // The pool of the test database (postgres.js, 10 connections by default).
    expect(page.value(METRICS.dbPoolConnections.name, { state: 'max' })).toBe(10);
    expect(page.value(METRICS.dbPoolConnections.name, { state: 'waiting' })).toBe(0);
  });

  it('counts a keyed pay, the 409 while it is in flight, and its replay', async () => {
    const before = await scrape();
    const dish = await demoDish(t.database.db);
    const created = await post('/orders', {
      token: customer,
      key: newKey(),
      body: { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity: 1 }] },
    });
    expect(created.status).toBe(201);
    const orderId = ((await created.json()) as { data: { id: string } }).data.id;

    const key = newKey();
    const hold = provider.holdNextCharge();
    const first = post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
    await hold.reached;
    const during = await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
    expect(during.status).toBe(409);
    hold.release();
    expect((await first).status).toBe(200);
    const replay = await answerOf(
      await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
    );
    expect(replay).toMatchObject({ status: 200, replayed: 'true' });

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    const idem = METRICS.idempotencyOutcomes.name;
    expect(moved(idem, { outcome: 'new' })).toBe(2); // the create and the pay
    expect(moved(idem, { outcome: 'in_flight' })).toBe(1);
    expect(moved(idem, { outcome: 'replayed' })).toBe(1);
    expect(moved(idem, { outcome: 'mismatch' })).toBe(0);
    expect(moved(METRICS.paymentOutcomes.name, { outcome: 'charged' })).toBe(1);

    const http = METRICS.httpRequestDuration.name;
    const pays = (status: string) =>
      after.histogramCount(http, { method: 'POST', route: PAY_ROUTE, status }) -
      before.histogramCount(http, { method: 'POST', route: PAY_ROUTE, status });
    expect(pays('200')).toBe(2); // the pay and its replay
    expect(pays('409')).toBe(1);
    expect(after.histogramCount(http, { route: '/api/v2/orders', status: '201' })).toBeGreaterThanOrEqual(1);
    // Statements per request are recorded under the same route.
    expect(
      after.histogramCount(METRICS.dbStatementsPerRequest.name, { route: PAY_ROUTE }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      after.histogramCount(METRICS.dbRoundTripsPerRequest.name, { route: PAY_ROUTE }) -
        before.histogramCount(METRICS.dbRoundTripsPerRequest.name, { route: PAY_ROUTE }),
    ).toBe(3);
    // No concrete path (an order id) ever becomes a label value.
    expect(JSON.stringify(after.labelSets(http))).not.toContain(orderId);
  });

  it('counts the outcomes of keys claimed by their write statement: new, replayed, mismatch', async () => {
    const dish = await demoDish(t.database.db);
    const created = await post('/orders', {
      token: customer,
      key: newKey(),
      body: { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity: 1 }] },
    });
    const orderId = ((await created.json()) as { data: { id: string } }).data.id;
    const before = await scrape();
    const key = newKey();
    const cancel = (reason: string) =>
      post(`/orders/${orderId}/cancel`, { token: customer, key, ifMatch: '"v1"', body: { reason } });
    expect((await cancel('first')).status).toBe(200);
    expect((await cancel('first')).headers.get('idempotent-replayed')).toBe('true');
    expect((await cancel('second')).status).toBe(422);
    const after = await scrape();
    const moved = (outcome: string) =>
      after.value(METRICS.idempotencyOutcomes.name, { outcome }) -
      before.value(METRICS.idempotencyOutcomes.name, { outcome });
    expect([moved('new'), moved('replayed'), moved('mismatch'), moved('in_flight')]).toEqual([1, 1, 1, 0]);
  });

  it('names tRPC requests by procedure and GraphQL requests by operation, unknown paths as unmatched', async () => {
    const input = encodeURIComponent(JSON.stringify({ pageSize: 1 }));
    const trpc = await t.app.request(`/trpc/restaurants.list?input=${input}`, {
      headers: { authorization: `Bearer ${customer}` },
    });
    expect(trpc.status).toBe(200);
    const graphql = await t.app.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customer}` },
      body: JSON.stringify({ query: 'query FirstOrders { orders(first: 1) { nodes { id } } }' }),
    });
    expect(graphql.status).toBe(200);
    expect((await t.app.request('/no/such/path/1234')).status).toBe(404);

    const page = await scrape();
    const http = METRICS.httpRequestDuration.name;
    expect(page.histogramCount(http, { method: 'GET', route: 'trpc restaurants.list', status: '200' })).toBe(
      1,
    );
    expect(
      page.histogramCount(http, { method: 'POST', route: 'graphql query FirstOrders', status: '200' }),
    ).toBe(1);
    expect(page.histogramCount(http, { route: 'unmatched', status: '404' })).toBe(1);
  });
});

describe('Prometheus metrics: rate-limit refusals', () => {
  it('counts every 429 by the policy that refused it', async () => {
    const metrics = createMetrics();
    const t = await createTestApp({
      metrics,
      seed: { orders: 0 },
      env: { RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' },
    });
    try {
      const login = () =>
        t.app.request('/api/v2/auth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: 'wrong-password' }),
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login()).status);
      expect(statuses).toEqual([401, 401, 429, 429]);
      const res = await metricsApp(registrySource(metrics.registry!)).request('/metrics');
      const page = parseScrape(await res.text());
      expect(page.value(METRICS.rateLimitRefusals.name, { policy: 'login-account' })).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('Prometheus metrics: live stream lag', () => {
  it('observes the lag of every event the event hub reads for a live subscriber', async () => {
    const metrics = createMetrics();
    const t = await createTestApp({ metrics, seed: { orders: 0 } });
    const hub = createEventHub(t.deps.config, t.database, createLogger('silent'), {
      onBatch: recordEventLag(metrics),
    });
    // The hub reads the outbox for somebody waiting: a live subscriber.
    const live = await hub.subscribe({ filter: () => true });
    try {
      const first = live.next();
      const customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
      const dish = await demoDish(t.database.db);
      await placeOrder((p, i) => t.app.request(p, i), customer, dish);
      expect((await first).value).toMatchObject({ type: 'order.created' });
      // The NOTIFY wakes the hub; its read of the new `order.created` event is observed once.
      const count = await waitFor(async () => {
        const lag = await metrics.registry!.getSingleMetric(METRICS.eventLag.name)!.get();
        const n =
          (lag.values as { metricName?: string; value: number }[]).find(
            (v) => v.metricName === `${METRICS.eventLag.name}_count`,
          )?.value ?? 0;
        return n >= 1 && n;
      });
      expect(count).toBe(1);
    } finally {
      await live.return(undefined);
      await hub.close();
      await t.close();
    }
  });
});
