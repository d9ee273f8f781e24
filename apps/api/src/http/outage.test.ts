/**
 * The outage contract on every surface (SPEC "When dependencies fail"): a database that cannot be
 * reached, or one that does not answer within the per-request deadline, gives REST v2 and v1 a
 * 503 with Retry-After, tRPC the SERVICE_UNAVAILABLE code with the same `errorCode`, GraphQL an
 * error with `extensions.code` and HTTP 503 — never a 500. `/healthz` stays 200 (liveness) while
 * `/readyz` says 503. Real PostgreSQL: a port nothing listens on, and a table lock held by another
 * session (a database that accepted the query and does not answer).
 */
import { createDb, DEMO_ACCOUNTS } from '@quickeats/db';
import { InMemoryPaymentProvider } from '@quickeats/domain';
import { holdTableLock, type PrivateRedis, startPrivateRedis } from '@quickeats/test-support';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createTokenRevocations } from '../auth/create-revocations';
import { signAccessToken } from '../auth/token';
import type { AppDeps } from '../context';
import { createEventHub } from '../events/create-hub';
import { createIdempotencyStore } from '../idempotency/create-store';
import { createLogger } from '../logger';
import { NO_METRICS } from '../observability/metrics';
import { createRateLimits } from '../rate-limit';
import { createTestApp, TEST_TOKEN_SECRET, type TestApp, testConfig } from '../testing/test-app';
import { survivingDependencyFailures } from './outage';

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

const ORDERS_QUERY = '{ orders(first: 2) { nodes { id status } } }';

/** One request per surface, all reading orders. */
function surfaces(app: App, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  return {
    v2: () => app.request('/api/v2/orders', { headers: auth }),
    v1: () => app.request('/api/v1/orders', { headers: auth }),
    trpc: () =>
      app.request(`/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 2 }))}`, {
        headers: auth,
      }),
    graphql: () =>
      app.request('/graphql', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: ORDERS_QUERY }),
      }),
  };
}

async function expectOutageAnswers(app: App, token: string) {
  const s = surfaces(app, token);
  const [v2, v1, trpc, graphql] = await Promise.all([s.v2(), s.v1(), s.trpc(), s.graphql()]);
  for (const res of [v2, v1, trpc, graphql]) {
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  expect(v2.headers.get('content-type')).toContain('application/problem+json');
  expect(await v2.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(await v1.json()).toEqual({ error: expect.any(String) });
  expect(((await trpc.json()) as { error: { data: unknown } }).error.data).toMatchObject({
    code: 'SERVICE_UNAVAILABLE',
    httpStatus: 503,
    errorCode: 'SERVICE_UNAVAILABLE',
  });
  const gql = (await graphql.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(gql.errors[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
}

describe('PostgreSQL unreachable', () => {
  const dead = createDb({ url: 'postgres://postgres@127.0.0.1:1/nowhere', connectTimeoutMs: 2000 });
  const config = testConfig();
  const deps: AppDeps = {
    config,
    db: dead.db,
    dbHandle: dead,
    logger: createLogger('silent'),
    paymentProvider: new InMemoryPaymentProvider(),
    idempotency: createIdempotencyStore(config, dead.db),
    events: createEventHub(config, dead, createLogger('silent')),
    now: () => new Date(),
    metrics: NO_METRICS,
    rateLimits: createRateLimits(config),
    // Never started (its database is unreachable): it refuses nothing, and every route answers 503.
    revocations: createTokenRevocations(config, dead, createLogger('silent')),
  };
  const app = createApp(deps);
  afterAll(() => dead.close());

  it('every surface answers 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const token = await signAccessToken(
      { userId: '00000000-0000-4000-8000-000000000001', role: 'admin' },
      TEST_TOKEN_SECRET,
      3600,
    );
    await expectOutageAnswers(app, token);
  });

  it('a keyed write answers 503 too (the idempotency store is PostgreSQL)', async () => {
    const token = await signAccessToken(
      { userId: '00000000-0000-4000-8000-000000000001', role: 'customer' },
      TEST_TOKEN_SECRET,
      3600,
    );
    const res = await app.request('/api/v2/orders/00000000-0000-4000-8000-000000000002/pay', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': '"outage-1"' },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('/healthz (liveness) stays 200, /readyz says 503 naming the database', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      checks: { database: { status: 'unavailable' }, paymentProvider: { status: 'ok' } },
    });
  });
});

describe('PostgreSQL not answering within the request deadline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 5 }, env: { REQUEST_TIMEOUT_MS: '500' } });
  });
  afterAll(() => t?.close());

  it('answers 503 on every surface at the deadline, and normally once the database answers', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.admin);
    // Another session holds an exclusive lock on `orders`: every read of it waits.
    const lock = await holdTableLock(t.database.url, 'orders');
    try {
      await expectOutageAnswers(t.app, token);
    } finally {
      await lock.release();
    }
    // Recovery needs no restart. Polled: on a busy machine a single answer may still miss 500 ms.
    for (const request of Object.values(surfaces(t.app, token))) {
      const bound = Date.now() + 60_000;
      let status = 0;
      while (status !== 200 && Date.now() < bound) status = (await request()).status;
      expect(status).toBe(200);
    }
  });
});

describe('Upstash/Redis idempotency store unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      seed: { orders: 2 },
      env: { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 'unreachable' },
    });
  });
  afterAll(() => t?.close());

  it('keyed writes answer 503 with Retry-After (no fallback); reads go on from PostgreSQL', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const res = await t.app.request('/api/v2/orders', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': '"redis-down-1"',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ restaurantId: '00000000-0000-4000-8000-000000000009', items: [] }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(
      (await t.app.request('/api/v2/orders', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const ready = await t.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { database: { status: 'ok' }, idempotencyStore: { kind: 'upstash', status: 'unavailable' } },
    });
  });
});

describe('Upstash answering, its Redis gone', () => {
  let t: TestApp;
  let redis: PrivateRedis;
  let bridge: UpstashBridge;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    bridge = await startUpstashBridge({ redisUrl: redis.url });
    t = await createTestApp({
      seed: { orders: 2 },
      env: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token },
    });
  });
  afterAll(async () => {
    await t?.close();
    await bridge?.close();
    await redis?.destroy();
  });

  it('a keyed write answers 503 with Retry-After, not 500, when the REST endpoint reports its backend down', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const create = (key: string) =>
      t.app.request('/api/v2/orders', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': `"${key}"`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ restaurantId: '00000000-0000-4000-8000-000000000009', items: [] }),
      });
    // While Redis is up the key is taken and the request reaches validation (400: an empty order).
    expect((await create('backend-up')).status).toBe(400);
    await redis.kill();
    // The endpoint still answers HTTP, with an error: @upstash/redis throws the same UpstashError for
    // that as for a command error; the store treats it as the outage it is.
    const res = await create('backend-down');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('readiness while draining', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
  });
  afterAll(() => t?.close());

  it('/readyz says 503 "draining" once shutdown began, though every dependency is fine; /healthz stays 200', async () => {
    let draining = false;
    const app = createApp({ ...t.deps, draining: () => draining });
    expect((await app.request('/readyz')).status).toBe(200);
    draining = true;
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining', checks: { database: { status: 'ok' } } });
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe('a rejection nobody awaited', () => {
  it('is logged when a dependency could not be reached, and ends the process (rethrown) when it is anything else', () => {
    const logged: unknown[] = [];
    const handle = survivingDependencyFailures((err) => logged.push(err));
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(() => handle(refused)).not.toThrow();
    expect(logged).toEqual([refused]);
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(() => handle(bug)).toThrow(bug);
    expect(logged).toHaveLength(1);
  });
});
