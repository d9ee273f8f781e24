/**
 * SPEC "Idempotency" over REST, every status code, against both stores: the app on a fresh real
 * PostgreSQL database, and for Upstash the `@upstash/redis` client through the bridge to the real
 * Redis. The provider is an in-memory one the tests can hold or fail; the real HTTP provider with
 * its faults is exercised in payments.recovery.test.ts and the chaos test.
 */
import { randomUUID } from 'node:crypto';
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { ControllableProvider } from '../testing/controllable-provider';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { answerOf, demoDish, newKey, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { createIdempotencyStore } from './create-store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['postgres', 'upstash'] as const)('Idempotency-Key over REST, %s store', (kind) => {
  let t: TestApp;
  let store: StoreUnderTest | undefined;
  let provider: ControllableProvider;
  let customer: string;
  let otherCustomer: string;
  let owner: string;
  let dish: { restaurantId: string; menuItemId: string };

  const post = (path: string, options: Parameters<typeof postInit>[0]) =>
    t.app.request(`/api/v2${path}`, postInit(options));
  const orderBody = (quantity = 1) => ({
    restaurantId: dish.restaurantId,
    items: [{ menuItemId: dish.menuItemId, quantity }],
  });
  const countOrders = async () =>
    (await executeRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from orders`))[0]!.n;
  /** A fresh pending order of the demo customer. */
  async function pendingOrder(): Promise<string> {
    const res = await post('/orders', { token: customer, key: newKey(), body: orderBody() });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  beforeAll(async () => {
    provider = new ControllableProvider();
    store = await idempotencyStore(kind, 'idempotency-http');
    const env = store.env;
    t = await createTestApp({ seed: { orders: 5 }, env, paymentProvider: provider });
    expect(t.deps.idempotency.kind).toBe(kind);
    customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
    otherCustomer = await t.tokenFor('customer2@quickeats.test');
    owner = await t.tokenFor(DEMO_ACCOUNTS.owner);
    dish = await demoDish(t.database.db);
  });
  afterAll(async () => {
    await store?.close();
    await t?.close();
  });

  describe('the key itself', () => {
    it('is required on create: 400 IDEMPOTENCY_KEY_REQUIRED, and nothing is created', async () => {
      const before = await countOrders();
      const res = await post('/orders', { token: customer, body: orderBody() });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REQUIRED',
        errors: [{ field: 'header.Idempotency-Key', message: 'required' }],
      });
      expect(await countOrders()).toBe(before);
    });

    it('is required on pay: 400, and nothing is charged', async () => {
      const orderId = await pendingOrder();
      const res = await post(`/orders/${orderId}/pay`, { token: customer, ifMatch: '"v1"' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
      expect(provider.chargesFor(orderId)).toHaveLength(0);
    });

    it.each([
      ['longer than 255 characters', 'k'.repeat(256), 'must be at most 255 characters'],
      ['an unterminated structured-field string', '"abc', 'malformed structured-field string'],
      ['empty', '', 'must not be empty'],
    ])('is refused when %s: 400 IDEMPOTENCY_KEY_INVALID naming why', async (_case, key, reason) => {
      const before = await countOrders();
      const res = await post('/orders', { token: customer, key, body: orderBody() });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'IDEMPOTENCY_KEY_INVALID',
        errors: [{ field: 'header.Idempotency-Key', message: reason }],
      });
      expect(await countOrders()).toBe(before);
    });

    it('is optional on the other actions, which work without one', async () => {
      const orderId = await pendingOrder();
      const res = await post(`/orders/${orderId}/cancel`, { token: customer, ifMatch: '"v1"' });
      expect(res.status).toBe(200);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  describe('create', () => {
    it('creates once and replays the 201 byte for byte, from the store alone', async () => {
      const key = newKey();
      const before = await countOrders();
      const first = await answerOf(await post('/orders', { token: customer, key, body: orderBody(2) }));
      expect(first.status).toBe(201);
      expect(first.replayed).toBeNull();
      expect(first.location).toMatch(/^\/api\/v2\/orders\/[0-9a-f-]{36}$/);

      // The retry sends the same body with another key order and whitespace: the same request.
      const sameBody = `{ "items": [{"quantity": 2, "menuItemId": "${dish.menuItemId}"}], "restaurantId": "${dish.restaurantId}" }`;
      const replay = await answerOf(await post('/orders', { token: customer, key, body: sameBody }));
      expect(replay).toMatchObject({
        status: 201,
        body: first.body,
        contentType: first.contentType,
        etag: first.etag,
        location: first.location,
        replayed: 'true',
      });
      // Answered by the idempotency layer, reading one row. Upstash: Redis learns the answer lazily,
      // so its first replay reads Postgres too (and copies it into Redis); a later one reads Redis only.
      expect(replay.statements).toBe(1);
      if (kind === 'upstash') {
        const again = await answerOf(await post('/orders', { token: customer, key, body: sameBody }));
        expect(again).toMatchObject({ status: 201, body: first.body, etag: first.etag, replayed: 'true' });
        expect(again.statements).toBe(0);
      }
      expect(await countOrders()).toBe(before + 1);
    });

    it('accepts the structured-field string form of a key as the same key', async () => {
      const key = `order-${randomUUID()}`;
      const first = await answerOf(await post('/orders', { token: customer, key, body: orderBody() }));
      const quoted = await answerOf(
        await post('/orders', { token: customer, key: `"${key}"`, body: orderBody() }),
      );
      expect(quoted).toMatchObject({ status: 201, body: first.body, replayed: 'true' });
    });

    it('answers 422 for the same key with another body, and creates nothing more', async () => {
      const key = newKey();
      expect((await post('/orders', { token: customer, key, body: orderBody(1) })).status).toBe(201);
      const before = await countOrders();
      const res = await post('/orders', { token: customer, key, body: orderBody(3) });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 422 });
      expect(await countOrders()).toBe(before);
    });

    it('scopes a key to its user: another customer with the same key gets an order of their own', async () => {
      const key = newKey();
      const mine = (await (await post('/orders', { token: customer, key, body: orderBody() })).json()) as {
        data: { id: string; relationships: { customer: { data: { id: string } } } };
      };
      const res = await post('/orders', { token: otherCustomer, key, body: orderBody() });
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      const theirs = (await res.json()) as typeof mine;
      expect(theirs.data.id).not.toBe(mine.data.id);
      expect(theirs.data.relationships.customer.data.id).not.toBe(mine.data.relationships.customer.data.id);
    });

    it('stores a 4xx as final: the same invalid request replays its 400', async () => {
      const key = newKey();
      const body = { ...orderBody(), tip: 100 };
      const first = await answerOf(await post('/orders', { token: customer, key, body }));
      expect(first.status).toBe(400);
      expect(JSON.parse(first.body)).toMatchObject({ code: 'VALIDATION_FAILED' });
      const replay = await answerOf(await post('/orders', { token: customer, key, body }));
      expect(replay).toMatchObject({ status: 400, body: first.body, replayed: 'true' });
    });
  });

  describe('pay', () => {
    it('charges once and replays the 200 byte for byte', async () => {
      const orderId = await pendingOrder();
      const key = newKey();
      const first = await answerOf(
        await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(first.status).toBe(200);
      expect(first.etag).toBe('"v2"');
      const replay = await answerOf(
        await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(replay).toMatchObject({ status: 200, body: first.body, etag: '"v2"', replayed: 'true' });
      expect(provider.chargesFor(orderId)).toHaveLength(1);
    });

    it('keys a different route separately: the create key does not replay on pay', async () => {
      const key = newKey();
      const created = await post('/orders', { token: customer, key, body: orderBody() });
      const orderId = ((await created.json()) as { data: { id: string } }).data.id;
      const paid = await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
      expect(paid.status).toBe(200);
      expect(paid.headers.get('idempotent-replayed')).toBeNull();
    });

    it('refuses the same key with another body (422) and charges nothing; the stored 4xx still replays', async () => {
      const orderId = await pendingOrder();
      const key = newKey();
      // The first use fails as a client error (no If-Match): a final answer, stored.
      const first = await answerOf(await post(`/orders/${orderId}/pay`, { token: customer, key }));
      expect(first.status).toBe(428);
      const other = await post(`/orders/${orderId}/pay`, { token: customer, key, body: { reason: 'again' } });
      expect(other.status).toBe(422);
      expect(await other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      // Adding If-Match does not change the fingerprint (method, path, body): the 428 is replayed.
      const retry = await answerOf(
        await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(retry).toMatchObject({ status: 428, body: first.body, replayed: 'true' });
      expect(provider.chargesFor(orderId)).toHaveLength(0);
    });

    it('answers 409 with Retry-After while the first request is in flight, then replays its result', async () => {
      const orderId = await pendingOrder();
      const key = newKey();
      const hold = provider.holdNextCharge();
      const firstPending = post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
      await hold.reached;

      const during = await answerOf(
        await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(during.status).toBe(409);
      expect(JSON.parse(during.body)).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT' });
      const retryAfter = Number(during.retryAfter);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(t.deps.config.idempotency.leaseSeconds);

      hold.release();
      const first = await answerOf(await firstPending);
      expect(first.status).toBe(200);
      const after = await answerOf(
        await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(after).toMatchObject({ status: 200, body: first.body, replayed: 'true' });
      expect(provider.chargesFor(orderId)).toHaveLength(1);
    });

    it('does not store a 5xx: the key is released and the retry runs again, charging once', async () => {
      const orderId = await pendingOrder();
      const key = newKey();
      provider.failNextCharges(1, false);
      const failed = await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
      expect(failed.status).toBe(502);
      expect(await failed.json()).toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' });

      const retry = await post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(provider.chargesFor(orderId)).toHaveLength(1);
    });

    it('retries a charge whose outcome is unknown with the same provider key, inside one request', async () => {
      const orderId = await pendingOrder();
      const calls = provider.chargeCalls;
      provider.failNextCharges(2, true);
      const res = await post(`/orders/${orderId}/pay`, { token: customer, key: newKey(), ifMatch: '"v1"' });
      expect(res.status).toBe(200);
      expect(provider.chargeCalls - calls).toBe(3);
      expect(provider.chargesFor(orderId)).toHaveLength(1);
    });
  });

  describe('other actions', () => {
    it('honours a key sent on accept: replayed, and the order changes once', async () => {
      const orderId = await pendingOrder();
      expect(
        (await post(`/orders/${orderId}/pay`, { token: customer, key: newKey(), ifMatch: '"v1"' })).status,
      ).toBe(200);
      const key = newKey();
      const first = await answerOf(
        await post(`/orders/${orderId}/accept`, { token: owner, key, ifMatch: '"v2"' }),
      );
      expect(first).toMatchObject({ status: 200, etag: '"v3"' });
      const replay = await answerOf(
        await post(`/orders/${orderId}/accept`, { token: owner, key, ifMatch: '"v2"' }),
      );
      expect(replay).toMatchObject({ status: 200, body: first.body, etag: '"v3"', replayed: 'true' });
      const [row] = await executeRows<{ version: number; events: number }>(
        t.database.db,
        sql`select o.version, (select count(*)::int from order_events e where e.order_id = o.id) as events
              from orders o where o.id = ${orderId}`,
      );
      expect(row).toEqual({ version: 3, events: 3 });
    });
  });

  describe('a crashed or overtaken holder (lease of 1 s)', () => {
    let shortLease: ReturnType<typeof createApp>;
    beforeAll(() => {
      const config = { ...t.deps.config, idempotency: { ...t.deps.config.idempotency, leaseSeconds: 1 } };
      shortLease = createApp({
        ...t.deps,
        config,
        idempotency: createIdempotencyStore(config, t.database.db),
      });
    });
    const postShort = (path: string, options: Parameters<typeof postInit>[0]) =>
      shortLease.request(`/api/v2${path}`, postInit(options));

    it('lets a retry take over once the lease of a stuck request expired, charging once', async () => {
      const orderId = await pendingOrder();
      const key = newKey();
      const stuck = provider.holdNextCharge();
      const stuckRequest = postShort(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
      await stuck.reached;
      expect(
        (await postShort(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' })).status,
      ).toBe(409);

      await sleep(1_200);
      const takeover = await answerOf(
        await postShort(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' }),
      );
      expect(takeover).toMatchObject({ status: 200, replayed: null });

      // The stuck request finally gets through: its own outcome would be a 412 (the order moved on),
      // but the key's outcome is the takeover's success, and that is what its client receives.
      stuck.release();
      const late = await answerOf(await stuckRequest);
      expect(late).toMatchObject({ status: 200, body: takeover.body, replayed: 'true' });
      expect(provider.chargesFor(orderId)).toHaveLength(1);
      const [payments] = await executeRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from payments where order_id = ${orderId}`,
      );
      expect(payments?.n).toBe(1);
    });
  });
});
