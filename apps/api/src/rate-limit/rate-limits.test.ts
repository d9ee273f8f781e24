/**
 * Rate limits on every surface, counted in process memory (the embedded default) and in Redis
 * through @upstash/ratelimit (the Upstash REST bridge in front of the local Redis): sign-in per
 * account and per client address, with the same answer for unknown accounts; writes per user on
 * REST v2, v1 and tRPC; tRPC batches bounded. Refusals are 429 problems with Retry-After and the
 * IETF RateLimit-Policy / RateLimit fields.
 */
import { DEMO_PASSWORD } from '@quickeats/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { demoMenu } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import type { RateLimitRefusal } from '.';

const PER_ACCOUNT = 10;

describe.each(['memory', 'upstash'] as const)('rate limits counted in %s', (kind) => {
  let t: TestApp;
  let store: StoreUnderTest;
  const refusals: RateLimitRefusal[] = [];
  beforeAll(async () => {
    store = await idempotencyStore(kind === 'memory' ? 'postgres' : 'upstash', 'rate-limits');
    t = await createTestApp({
      seed: { orders: 0 },
      env: {
        ...store.env,
        RATE_LIMIT_LOGIN_PER_ACCOUNT: String(PER_ACCOUNT),
        RATE_LIMIT_LOGIN_PER_ADDRESS: '30',
        TRUST_PROXY: 'true',
        RATE_LIMIT_WRITES_PER_USER: '3',
        // Windows far longer than the test, so none slides (and forgets hits) while it runs.
        RATE_LIMIT_WRITES_WINDOW_SECONDS: '3600',
        RATE_LIMIT_LOGIN_WINDOW_SECONDS: '3600',
        TRPC_MAX_BATCH_SIZE: '5',
      },
    });
    t.deps.rateLimits.onRefusal((r) => refusals.push(r));
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
  });

  it('counts where configured', () => {
    expect(t.deps.rateLimits.kind).toBe(kind === 'memory' ? 'memory' : 'redis');
  });

  let address = 0;
  const login = (email: string, password: string, from = `198.51.100.${++address}`) =>
    t.app.request('/api/v2/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.1, ${from}` },
      body: JSON.stringify({ email, password }),
    });

  const shape = async (res: Response) => {
    const body = (await res.json()) as Record<string, unknown>;
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      retryAfter: res.headers.get('retry-after') !== null,
      policy: res.headers.get('ratelimit-policy'),
      rateLimit: res.headers.get('ratelimit')?.replace(/t=\d+/, 't=…'),
      body: {
        ...body,
        detail: String(body.detail).replace(/\d+/g, 'N'),
        instance: undefined,
        requestId: undefined,
      },
    };
  };

  it(`refuses the ${PER_ACCOUNT + 1}th sign-in attempt for an account, even with the right password`, async () => {
    const email = DEMO_ACCOUNTS.rider;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await login(email, `wrong-${i}`)).status);
    expect(statuses).toEqual([...Array(PER_ACCOUNT).fill(401), ...Array(20 - PER_ACCOUNT).fill(429)]);
    const locked = await login(email.toUpperCase(), DEMO_PASSWORD);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(locked.headers.get('ratelimit-policy')).toBe(`"login-account";q=${PER_ACCOUNT};w=3600`);
    expect(locked.headers.get('ratelimit')).toMatch(/^"login-account";r=0;t=\d+$/);
    expect(await locked.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(refusals.some((r) => r.policy === 'login-account')).toBe(true);
  });

  it('answers an unknown account exactly like a known one, before and after the lockout', async () => {
    const known: Awaited<ReturnType<typeof shape>>[] = [];
    const unknown: Awaited<ReturnType<typeof shape>>[] = [];
    for (let i = 0; i <= PER_ACCOUNT; i++) {
      known.push(await shape(await login('customer2@quickeats.test', 'wrong')));
      unknown.push(await shape(await login(`nobody-${kind}@quickeats.test`, 'wrong')));
    }
    expect(unknown).toEqual(known);
    expect(known.at(-1)!.status).toBe(429);
    expect(known[0]!.status).toBe(401);
  });

  it('a correct password clears the account window', async () => {
    const email = DEMO_ACCOUNTS.owner;
    for (let i = 0; i < PER_ACCOUNT - 1; i++) expect((await login(email, 'wrong')).status).toBe(401);
    const ok = await login(email, DEMO_PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-policy')).toMatch(/^"login-(account|address)";q=\d+;w=3600$/);
    for (let i = 0; i < PER_ACCOUNT; i++) expect((await login(email, 'wrong')).status).toBe(401);
  });

  it('limits sign-in attempts per client address across accounts', async () => {
    const from = `203.0.113.${kind === 'memory' ? 1 : 2}`;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await login(`spray-${i}@quickeats.test`, 'x', from)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const refused = await login('spray-new@quickeats.test', 'x', from);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"login-address";q=30;w=3600');
    // Another address is not affected.
    expect((await login('spray-new@quickeats.test', 'x')).status).toBe(401);
  });

  it('limits writes per user on REST v2, v1 and tRPC, with the same window', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const menu = await demoMenu(t);
    const order = {
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }],
    };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const v2 = () =>
      t.app.request('/api/v2/orders', {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify(order),
      });
    const first = await v2();
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit')).toMatch(/^"writes";r=2;t=\d+$/);
    expect(
      (await t.app.request('/api/v1/orders', { method: 'POST', headers, body: JSON.stringify(order) }))
        .status,
    ).toBe(201);
    const trpc = () =>
      t.app.request('/trpc/orders.create', {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...order, idempotencyKey: crypto.randomUUID() }),
      });
    expect((await trpc()).status).toBe(200);

    const refused = await v2();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('ratelimit-policy')).toBe('"writes";q=3;w=3600');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });

    const v1 = await t.app.request('/api/v1/orders', {
      method: 'POST',
      headers,
      body: JSON.stringify(order),
    });
    expect(v1.status).toBe(429);
    expect(v1.headers.get('retry-after')).not.toBeNull();
    expect(await v1.json()).toEqual({ error: expect.stringMatching(/Too many writes/) });

    const rpc = await trpc();
    expect(rpc.status).toBe(429);
    expect(rpc.headers.get('retry-after')).not.toBeNull();
    const rpcBody = (await rpc.json()) as { error: { data: { code: string; errorCode: string } } };
    expect(rpcBody.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', errorCode: 'RATE_LIMITED' });

    // Reads are not writes; another user has a window of their own.
    expect((await t.app.request('/api/v2/orders', { headers })).status).toBe(200);
    const other = await t.tokenFor('customer2@quickeats.test');
    const otherCreate = await t.app.request('/api/v2/orders', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${other}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify(order),
    });
    expect(otherCreate.status).not.toBe(429);
  });

  it('documents the 429 with its fields in OpenAPI on sign-in and every write', async () => {
    const doc = (await (await t.app.request('/api/v2/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>
      >;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => method === 'post')
        .map(([, op]) => [path, op] as const),
    );
    expect(writes.length).toBeGreaterThan(8);
    for (const [path, op] of writes) {
      expect(Object.keys(op.responses[429]?.headers ?? {}), path).toEqual(
        expect.arrayContaining(['Retry-After', 'RateLimit-Policy', 'RateLimit']),
      );
    }
  });

  it('bounds the calls in one tRPC batch', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.admin);
    const batch = (n: number) =>
      t.app.request(
        `/trpc/${Array(n).fill('restaurants.list').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))))}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
    const b5 = await batch(5);
    expect(b5.status).toBe(200);
    expect((await batch(6)).status).toBe(400);
  });
});
