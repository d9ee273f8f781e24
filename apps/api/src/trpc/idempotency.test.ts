/**
 * SPEC "Idempotency" on tRPC (`idempotencyKey` input), against both stores: in-process through
 * `createCaller`, and over HTTP for what only a response shows (the `Idempotent-Replayed` header).
 */
import { executeRows } from '@quickeats/db';
import type { Actor } from '@quickeats/domain';
import type { inferRouterInputs } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { ControllableProvider } from '../testing/controllable-provider';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { demoDish, newKey, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { type AppRouter, createCaller } from './root';
import { createContextInner } from './trpc';

type Inputs = inferRouterInputs<AppRouter>['orders'];
// The typed client cannot forget the key where SPEC requires it…
// @ts-expect-error idempotencyKey is required on create
const _create: Inputs['create'] = { restaurantId: 'r', items: [] };
// @ts-expect-error idempotencyKey is required on pay
const _pay: Inputs['pay'] = { orderId: 'o', expectedVersion: 1 };
// …and may leave it out everywhere else.
const _accept: Inputs['accept'] = { orderId: 'o', expectedVersion: 1 };
void [_create, _pay, _accept];

/** The error a promise rejects with, as the client sees it (code and the formatted data). */
async function rejection(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}
/** `data.errorCode` as the error formatter computes it: the cause's stable code. */
const errorCodeOf = (err: TRPCError) => (err.cause as { code?: string } | undefined)?.code;

describe.each(['postgres', 'upstash'] as const)('idempotencyKey over tRPC, %s store', (kind) => {
  let t: TestApp;
  let store: StoreUnderTest | undefined;
  let provider: ControllableProvider;
  let customer: Actor;
  let dish: { restaurantId: string; menuItemId: string };

  /** A caller for `actor`, with the response headers it set. */
  function callerFor(actor: Actor) {
    const responseHeaders = new Headers();
    const caller = createCaller(
      createContextInner({
        deps: t.deps,
        actor,
        requestId: 'test',
        log: createLogger('silent'),
        responseHeaders,
      }),
    );
    return { caller, responseHeaders };
  }
  const orderInput = (quantity = 1) => ({
    restaurantId: dish.restaurantId,
    items: [{ menuItemId: dish.menuItemId, quantity }],
  });
  const countOrders = async () =>
    (await executeRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from orders`))[0]!.n;

  beforeAll(async () => {
    provider = new ControllableProvider();
    store = await idempotencyStore(kind, 'idempotency-trpc');
    const env = store.env;
    t = await createTestApp({ seed: { orders: 5 }, env, paymentProvider: provider });
    expect(t.deps.idempotency.kind).toBe(kind);
    customer = await t.actorFor(DEMO_ACCOUNTS.customer);
    dish = await demoDish(t.database.db);
  });
  afterAll(async () => {
    await store?.close();
    await t?.close();
  });

  it('requires idempotencyKey on create with the REST code, and creates nothing', async () => {
    const before = await countOrders();
    const { caller } = callerFor(customer);
    const err = await rejection(caller.orders.create(orderInput() as Inputs['create']));
    expect(err.code).toBe('BAD_REQUEST');
    expect(errorCodeOf(err)).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(err.message).toContain('idempotencyKey');
    expect(await countOrders()).toBe(before);
  });

  it('refuses a malformed key with IDEMPOTENCY_KEY_INVALID', async () => {
    const { caller } = callerFor(customer);
    const err = await rejection(caller.orders.create({ ...orderInput(), idempotencyKey: 'k'.repeat(256) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(errorCodeOf(err)).toBe('IDEMPOTENCY_KEY_INVALID');
  });

  it('creates once and returns the stored order to the retry, marked as replayed', async () => {
    const idempotencyKey = newKey();
    const before = await countOrders();
    const first = callerFor(customer);
    const created = await first.caller.orders.create({ ...orderInput(), idempotencyKey });
    expect(first.responseHeaders.get('idempotent-replayed')).toBeNull();
    const retry = callerFor(customer);
    expect(await retry.caller.orders.create({ ...orderInput(), idempotencyKey })).toEqual(created);
    expect(retry.responseHeaders.get('idempotent-replayed')).toBe('true');
    expect(await countOrders()).toBe(before + 1);
  });

  it('answers UNPROCESSABLE_CONTENT for the same key with another input, and creates nothing more', async () => {
    const idempotencyKey = newKey();
    const { caller } = callerFor(customer);
    await caller.orders.create({ ...orderInput(1), idempotencyKey });
    const before = await countOrders();
    const err = await rejection(caller.orders.create({ ...orderInput(2), idempotencyKey }));
    expect(err.code).toBe('UNPROCESSABLE_CONTENT');
    expect(errorCodeOf(err)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countOrders()).toBe(before);
  });

  it('requires the key on pay, charges once, and replays the paid order', async () => {
    const { caller } = callerFor(customer);
    const order = await caller.orders.create({ ...orderInput(), idempotencyKey: newKey() });
    const missing = await rejection(
      caller.orders.pay({ orderId: order.id, expectedVersion: 1 } as Inputs['pay']),
    );
    expect(errorCodeOf(missing)).toBe('IDEMPOTENCY_KEY_REQUIRED');

    const idempotencyKey = newKey();
    const paid = await caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey });
    expect(paid).toMatchObject({ status: 'paid', version: 2 });
    expect(await caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey })).toEqual(paid);
    expect(provider.chargesFor(order.id)).toHaveLength(1);
  });

  it('answers CONFLICT with retryAfterSeconds while the first call is in flight', async () => {
    const { caller } = callerFor(customer);
    const order = await caller.orders.create({ ...orderInput(), idempotencyKey: newKey() });
    const idempotencyKey = newKey();
    const hold = provider.holdNextCharge();
    const first = caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey });
    await hold.reached;

    const during = callerFor(customer);
    const err = await rejection(
      during.caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(errorCodeOf(err)).toBe('IDEMPOTENCY_IN_FLIGHT');
    expect(Number(during.responseHeaders.get('retry-after'))).toBeGreaterThanOrEqual(1);

    hold.release();
    expect(await first).toMatchObject({ status: 'paid' });
    expect(provider.chargesFor(order.id)).toHaveLength(1);
  });

  it('stores a final error: the same call gets the same PRECONDITION_FAILED again, replayed', async () => {
    const { caller } = callerFor(customer);
    const order = await caller.orders.create({ ...orderInput(), idempotencyKey: newKey() });
    const idempotencyKey = newKey();
    const first = await rejection(
      caller.orders.pay({ orderId: order.id, expectedVersion: 7, idempotencyKey }),
    );
    expect(first.code).toBe('PRECONDITION_FAILED');
    const retry = callerFor(customer);
    const again = await rejection(
      retry.caller.orders.pay({ orderId: order.id, expectedVersion: 7, idempotencyKey }),
    );
    expect(again.code).toBe('PRECONDITION_FAILED');
    expect(again.message).toBe(first.message);
    expect(again.cause).toMatchObject({ code: 'PRECONDITION_FAILED', extras: { currentVersion: 1 } });
    expect(retry.responseHeaders.get('idempotent-replayed')).toBe('true');
    expect(provider.chargesFor(order.id)).toHaveLength(0);
  });

  it('stores an input refused by validation, which is a final 4xx too', async () => {
    const { caller } = callerFor(customer);
    const order = await caller.orders.create({ ...orderInput(), idempotencyKey: newKey() });
    const input = {
      orderId: order.id,
      expectedVersion: 1,
      idempotencyKey: newKey(),
      reason: 'x'.repeat(501),
    };
    const first = await rejection(caller.orders.cancel(input));
    expect(first.code).toBe('BAD_REQUEST');
    const retry = callerFor(customer);
    const again = await rejection(retry.caller.orders.cancel(input));
    expect(again.code).toBe('BAD_REQUEST');
    expect(errorCodeOf(again)).toBe('VALIDATION_FAILED');
    expect(retry.responseHeaders.get('idempotent-replayed')).toBe('true');
  });

  it('does not store a BAD_GATEWAY: the retry with the same key runs again and charges once', async () => {
    const { caller } = callerFor(customer);
    const order = await caller.orders.create({ ...orderInput(), idempotencyKey: newKey() });
    const idempotencyKey = newKey();
    provider.failNextCharges(1, false);
    const failed = await rejection(
      caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey }),
    );
    expect(failed.code).toBe('BAD_GATEWAY');
    expect(errorCodeOf(failed)).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    const retry = callerFor(customer);
    expect(
      await retry.caller.orders.pay({ orderId: order.id, expectedVersion: 1, idempotencyKey }),
    ).toMatchObject({
      status: 'paid',
    });
    expect(retry.responseHeaders.get('idempotent-replayed')).toBeNull();
    expect(provider.chargesFor(order.id)).toHaveLength(1);
  });

  it('keeps REST and tRPC keys apart: one key on both creates two orders', async () => {
    const idempotencyKey = newKey();
    const { caller } = callerFor(customer);
    const viaTrpc = await caller.orders.create({ ...orderInput(), idempotencyKey });
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const rest = await t.app.request(
      '/api/v2/orders',
      postInit({ token, key: idempotencyKey, body: orderInput() }),
    );
    expect(rest.status).toBe(201);
    expect(((await rest.json()) as { data: { id: string } }).data.id).not.toBe(viaTrpc.id);
  });

  it('sends Idempotent-Replayed over HTTP and the same result body', async () => {
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const input = { ...orderInput(), idempotencyKey: newKey() };
    const call = () =>
      t.app.request('/trpc/orders.create', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
    const first = await call();
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await call();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstBody);
  });
});
