/**
 * Money moves once, whatever the provider does: the order service against the fake provider running
 * as its own process, with its faults (timeout after charging, dropped connections, 5xx), read back
 * from the provider's own ledger. Covers the recovery paths: same-key retries inside a request,
 * 5xx released and retried, a crashed pay found again by a new request, and refunds that fail now
 * and succeed later.
 */
import { executeRows } from '@quickeats/db';
import { HttpPaymentProvider, type ProviderAdmin, providerAdmin } from '@quickeats/payment-provider/client';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import { startProviderProcess } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerOf, demoDish, newKey, placeOrder, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { runMaintenance } from './maintenance';
import { chargeKey, PROVIDER_ATTEMPTS } from './orders.service';

describe('payments against the fake provider process, with faults', () => {
  let provider: SpawnedProvider;
  let admin: ProviderAdmin;
  let t: TestApp;
  let customer: string;
  let owner: string;
  let dish: { restaurantId: string; menuItemId: string };

  const post = (path: string, options: Parameters<typeof postInit>[0]) =>
    t.app.request(`/api/v2${path}`, postInit(options));
  const pendingOrder = () => placeOrder((p, i) => t.app.request(p, i), customer, dish);
  const pay = (orderId: string, key = newKey()) =>
    post(`/orders/${orderId}/pay`, { token: customer, key, ifMatch: '"v1"' });
  async function ledgerFor(orderId: string) {
    const ledger = await admin.ledger();
    const charges = ledger.charges.filter((c) => c.orderId === orderId);
    const ids = new Set(charges.map((c) => c.id));
    return { charges, refunds: ledger.refunds.filter((r) => ids.has(r.chargeId)) };
  }
  async function paymentRow(orderId: string) {
    const [row] = await executeRows<{ status: string; provider_reference: string; n: number }>(
      t.database.db,
      sql`select status, provider_reference, count(*) over ()::int as n from payments where order_id = ${orderId}`,
    );
    return row ?? null;
  }

  beforeAll(async () => {
    provider = await startProviderProcess();
    admin = providerAdmin(provider.url);
    t = await createTestApp({
      seed: { orders: 5 },
      // A failed refund is due again at once (refunds.test.ts covers the backoff).
      env: { REFUND_RETRY_BASE_MS: '0' },
      // A held answer ("timeout after charging") is held forever, so it costs this timeout whatever the
      // machine does; ordinary answers must arrive within it even on a loaded machine, or the pay
      // would spend its attempts on timeouts and answer 502.
      paymentProvider: new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 5000 }),
    });
    customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
    owner = await t.tokenFor(DEMO_ACCOUNTS.owner);
    dish = await demoDish(t.database.db);
  });
  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });
  beforeEach(() => admin.clearFaults());

  it.each([
    ['times out after charging', { timeoutAfterCharge: { times: 1, on: ['charge' as const] } }],
    ['drops the connection after charging', { dropAfterCharge: { times: 1, on: ['charge' as const] } }],
    ['drops the connection before charging', { dropBeforeCharge: { times: 1, on: ['charge' as const] } }],
    ['answers 503 before charging', { errorBeforeCharge: { times: 1, on: ['charge' as const] } }],
  ])('pays once when the provider %s: the request retries with the same key', async (_case, faults) => {
    const order = await pendingOrder();
    await admin.setFaults(faults);
    const res = await pay(order.id);
    expect(res.status).toBe(200);
    expect(Object.values((await admin.faults()).fired).reduce((a, b) => a + b, 0)).toBe(1);
    const { charges } = await ledgerFor(order.id);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      idempotencyKey: chargeKey(order.id),
      amount: { amount: order.total },
    });
    expect(await paymentRow(order.id)).toMatchObject({
      status: 'succeeded',
      provider_reference: charges[0]!.id,
      n: 1,
    });
  });

  it('answers 502 when the provider keeps failing, stores nothing, and the retry with the same key pays once', async () => {
    const order = await pendingOrder();
    await admin.setFaults({ errorBeforeCharge: { on: ['charge'] } });
    const key = newKey();
    const failed = await pay(order.id, key);
    expect(failed.status).toBe(502);
    expect((await admin.faults()).fired.errorBeforeCharge).toBe(PROVIDER_ATTEMPTS);
    expect(await paymentRow(order.id)).toBeNull();

    await admin.clearFaults();
    const retry = await answerOf(await pay(order.id, key));
    expect(retry).toMatchObject({ status: 200, replayed: null });
    expect((await ledgerFor(order.id)).charges).toHaveLength(1);
  });

  it('finds the charge of a pay that died after charging, even when the client retries with a NEW key', async () => {
    const order = await pendingOrder();
    // What a process killed between the provider's answer and its commit leaves behind.
    const orphan = await new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 60_000 }).charge({
      idempotencyKey: chargeKey(order.id),
      orderId: order.id,
      amount: { amount: order.total, currency: 'USD' },
    });
    // A fresh Idempotency-Key (the client gave up on the first one): the provider key is the order's,
    // so the provider hands back the same charge instead of making a second one.
    const res = await pay(order.id, newKey());
    expect(res.status).toBe(200);
    expect((await ledgerFor(order.id)).charges.map((c) => c.id)).toEqual([orphan.id]);
    expect(await paymentRow(order.id)).toMatchObject({ provider_reference: orphan.id, n: 1 });
  });

  it('refunds the charge of a pay that died after charging when the customer then cancels', async () => {
    const order = await pendingOrder();
    const orphan = await new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 60_000 }).charge({
      idempotencyKey: chargeKey(order.id),
      orderId: order.id,
      amount: { amount: order.total, currency: 'USD' },
    });
    const cancel = await post(`/orders/${order.id}/cancel`, { token: customer, ifMatch: '"v1"' });
    expect(cancel.status).toBe(200);
    const { refunds } = await ledgerFor(order.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ chargeId: orphan.id, amount: { amount: order.total } });
    expect(await paymentRow(order.id)).toMatchObject({ status: 'refunded', provider_reference: orphan.id });
  });

  it('refunds a charge whose pay lost the race to a cancel', async () => {
    const order = await pendingOrder();
    await admin.setFaults({ latency: { ms: 1500, times: 1, on: ['charge'] } });
    const paying = pay(order.id);
    // The pay is at the provider (held by the latency) when the customer cancels.
    for (let i = 0; i < 100 && (await admin.faults()).fired.latency === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const cancel = await post(`/orders/${order.id}/cancel`, { token: customer, ifMatch: '"v1"' });
    expect(cancel.status).toBe(200);

    const paid = await paying;
    expect([409, 412]).toContain(paid.status);
    const { charges, refunds } = await ledgerFor(order.id);
    expect(charges).toHaveLength(1);
    expect(refunds.map((r) => r.chargeId)).toEqual([charges[0]!.id]);
    expect(await paymentRow(order.id)).toMatchObject({ status: 'refunded', n: 1 });
  });

  it('refunds a rejected order once, though the refund’s answer was dropped', async () => {
    const order = await pendingOrder();
    expect((await pay(order.id)).status).toBe(200);
    await admin.setFaults({ dropAfterCharge: { times: 1, on: ['refund'] } });
    const key = newKey();
    const reject = await answerOf(
      await post(`/orders/${order.id}/reject`, { token: owner, key, ifMatch: '"v2"' }),
    );
    expect(reject.status).toBe(200);
    const replay = await answerOf(
      await post(`/orders/${order.id}/reject`, { token: owner, key, ifMatch: '"v2"' }),
    );
    expect(replay).toMatchObject({ status: 200, body: reject.body, replayed: 'true' });
    expect((await ledgerFor(order.id)).refunds).toHaveLength(1);
    expect(await paymentRow(order.id)).toMatchObject({ status: 'refunded' });
  });

  it('commits a cancel while the provider is down, and refunds it once when maintenance runs later', async () => {
    const order = await pendingOrder();
    expect((await pay(order.id)).status).toBe(200);
    await admin.setFaults({ errorBeforeCharge: { on: ['refund'] } });
    const cancel = await post(`/orders/${order.id}/cancel`, { token: customer, ifMatch: '"v2"' });
    expect(cancel.status).toBe(200);
    expect(await paymentRow(order.id)).toMatchObject({ status: 'succeeded' });
    expect((await ledgerFor(order.id)).refunds).toHaveLength(0);

    await admin.clearFaults();
    expect((await runMaintenance(t.deps)).refunded).toBeGreaterThanOrEqual(1);
    expect(await paymentRow(order.id)).toMatchObject({ status: 'refunded' });
    expect((await runMaintenance(t.deps)).refunded).toBe(0);
    expect((await ledgerFor(order.id)).refunds).toHaveLength(1);
  });
});
