/**
 * Refunds that keep failing back off and stop after a bound, leaving a visible record (issue 11):
 * real PostgreSQL and the fake provider as its own process, refusing refunds on demand. The backoff
 * is read from the payment row (`refund_next_attempt_at`), "time passes" by making the next attempt
 * due in the database — nothing waits on a clock. Seeded payments (demo data no provider ever
 * charged) are refunded without asking the provider.
 */
import { Writable } from 'node:stream';
import { executeRows } from '@quickeats/db';
import { HttpPaymentProvider, type ProviderAdmin, providerAdmin } from '@quickeats/payment-provider/client';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import { startProviderProcess } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics, METRICS } from '../observability/metrics';
import { demoDish, newKey, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { runMaintenance } from './maintenance';
import { PROVIDER_ATTEMPTS } from './orders.service';

const MAX_ATTEMPTS = 3;
const BASE_MS = 60_000;

type RefundState = {
  status: string;
  refund_attempts: number;
  /** Seconds from now to the next attempt (null: none planned). */
  due_in: number | null;
  refund_last_error: string | null;
  needs_attention: boolean;
  refund_reference: string | null;
};

describe('refund retries: bounded backoff and a visible record', () => {
  let provider: SpawnedProvider;
  let admin: ProviderAdmin;
  let t: TestApp;
  let customer: string;
  let owner: string;
  let dish: { restaurantId: string; menuItemId: string };
  const lines: Record<string, unknown>[] = [];
  const metrics = createMetrics();

  const post = (path: string, options: Parameters<typeof postInit>[0]) =>
    t.app.request(`/api/v2${path}`, postInit(options));

  async function paidOrder(): Promise<string> {
    const res = await post('/orders', {
      token: customer,
      key: newKey(),
      body: { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity: 1 }] },
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { data: { id: string } }).data.id;
    expect(
      (await post(`/orders/${id}/pay`, { token: customer, key: newKey(), ifMatch: '"v1"' })).status,
    ).toBe(200);
    return id;
  }
  async function refundState(orderId: string): Promise<RefundState> {
    const [row] = await executeRows<RefundState>(
      t.database.db,
      sql`select status, refund_attempts, refund_last_error, refund_reference,
                 extract(epoch from refund_next_attempt_at - now())::float8 as due_in,
                 refund_needs_attention_at is not null as needs_attention
            from payments where order_id = ${orderId}`,
    );
    if (!row) throw new Error(`no payment for ${orderId}`);
    return row;
  }
  /** Time passes: the next attempt of this refund is due now. */
  const makeDue = (orderId: string) =>
    executeRows(
      t.database.db,
      sql`update payments set refund_next_attempt_at = now() where order_id = ${orderId}
            and refund_next_attempt_at is not null returning id`,
    );
  const refundsAtProvider = async (orderId: string) => {
    const ledger = await admin.ledger();
    const charges = new Set(ledger.charges.filter((c) => c.orderId === orderId).map((c) => c.id));
    return ledger.refunds.filter((r) => charges.has(r.chargeId)).length;
  };
  const refusedAttempts = async () => (await admin.faults()).fired.errorBeforeCharge;
  const counter = async (outcome: string) => {
    const metric = metrics.registry?.getSingleMetric(METRICS.refundFailures.name);
    const values = (await metric?.get())?.values ?? [];
    return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  };
  const maintenance = () => runMaintenance(t.deps);
  const logged = (msg: string, orderId: string) =>
    lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(msg) && l.orderId === orderId);

  beforeAll(async () => {
    provider = await startProviderProcess();
    admin = providerAdmin(provider.url);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    t = await createTestApp({
      seed: { orders: 60 },
      env: { REFUND_MAX_ATTEMPTS: String(MAX_ATTEMPTS), REFUND_RETRY_BASE_MS: String(BASE_MS) },
      paymentProvider: new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 5000 }),
      logger: createLogger('info', sink),
      metrics,
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

  it('backs off exponentially, stops at the bound with a record, logs and counts that once, then never asks again', async () => {
    const orderId = await paidOrder();
    await admin.setFaults({ errorBeforeCharge: { on: ['refund'] } });
    // The cancel commits; its refund is the first failed attempt.
    expect((await post(`/orders/${orderId}/cancel`, { token: customer, ifMatch: '"v2"' })).status).toBe(200);
    let state = await refundState(orderId);
    expect(state).toMatchObject({ status: 'succeeded', refund_attempts: 1, needs_attention: false });
    expect(state.refund_last_error).toContain('injected_fault');
    // Due one base delay after the failure (minus the time this test took to look).
    expect(state.due_in).toBeGreaterThan(0);
    expect(state.due_in).toBeLessThanOrEqual(BASE_MS / 1000);

    // Not due yet: a maintenance pass leaves it alone and the provider is not asked.
    const asked = await refusedAttempts();
    await maintenance();
    expect(await refusedAttempts()).toBe(asked);
    expect((await refundState(orderId)).refund_attempts).toBe(1);

    // Due: the second attempt fails too, and the next wait doubles.
    await makeDue(orderId);
    await maintenance();
    state = await refundState(orderId);
    expect(state).toMatchObject({ status: 'succeeded', refund_attempts: 2, needs_attention: false });
    expect(state.due_in).toBeGreaterThan(BASE_MS / 1000);
    expect(state.due_in).toBeLessThanOrEqual((2 * BASE_MS) / 1000);
    expect(await refusedAttempts()).toBe(asked + PROVIDER_ATTEMPTS);

    // The bound: the third failure stops the retries and leaves the record.
    await makeDue(orderId);
    await maintenance();
    state = await refundState(orderId);
    expect(state).toMatchObject({
      status: 'succeeded',
      refund_attempts: MAX_ATTEMPTS,
      due_in: null,
      needs_attention: true,
    });
    expect(state.refund_last_error).toContain('injected_fault');
    expect(logged('refund failed for the last time', orderId)).toHaveLength(1);
    expect(logged('refund failed for the last time', orderId)[0]).toMatchObject({ level: 50 });
    expect(logged('refund failed; retried', orderId)).toHaveLength(MAX_ATTEMPTS - 1);
    expect(await counter('needs_attention')).toBeGreaterThanOrEqual(1);

    // Given up: even with the provider answering again, however many passes run, nobody asks it
    // (it would refund now), and nothing more is logged.
    await admin.clearFaults();
    for (let i = 0; i < 3; i++) await maintenance();
    expect(await refundsAtProvider(orderId)).toBe(0);
    expect(await refundState(orderId)).toMatchObject({
      refund_attempts: MAX_ATTEMPTS,
      needs_attention: true,
    });
    expect(lines.filter((l) => l.orderId === orderId)).toHaveLength(MAX_ATTEMPTS);
  });

  it('a refund that failed succeeds on a later attempt once the provider answers: refunded once, counted as recovered', async () => {
    const orderId = await paidOrder();
    await admin.setFaults({ errorBeforeCharge: { on: ['refund'] } });
    // The owner rejects the paid order; the refund fails.
    expect((await post(`/orders/${orderId}/reject`, { token: owner, ifMatch: '"v2"' })).status).toBe(200);
    expect(await refundState(orderId)).toMatchObject({ status: 'succeeded', refund_attempts: 1 });
    await admin.clearFaults();
    const recovered = await counter('recovered');
    await makeDue(orderId);
    expect((await maintenance()).refunded).toBe(1);
    const state = await refundState(orderId);
    expect(state).toMatchObject({
      status: 'refunded',
      refund_attempts: 1,
      due_in: null,
      needs_attention: false,
    });
    expect(state.refund_reference).toMatch(/^re_/);
    expect(await refundsAtProvider(orderId)).toBe(1);
    expect(await counter('recovered')).toBe(recovered + 1);
    await maintenance();
    expect(await refundsAtProvider(orderId)).toBe(1);
  });

  it('two maintenance passes at once (two processes) make one attempt of a due refund, not two', async () => {
    const orderId = await paidOrder();
    await admin.setFaults({ errorBeforeCharge: { on: ['refund'] } });
    expect((await post(`/orders/${orderId}/cancel`, { token: customer, ifMatch: '"v2"' })).status).toBe(200);
    await makeDue(orderId);
    const asked = await refusedAttempts();
    await Promise.all([maintenance(), maintenance()]);
    expect((await refundState(orderId)).refund_attempts).toBe(2);
    expect(await refusedAttempts()).toBe(asked + PROVIDER_ATTEMPTS);
  });

  it('cancelling or rejecting a seeded paid order refunds it without the provider, once, with no failure', async () => {
    const seededPaid = await executeRows<{ id: string; version: number; email: string }>(
      t.database.db,
      sql`select o.id, o.version, u.email from orders o
            join payments p on p.order_id = o.id and p.seeded
            join users u on u.id = o.customer_id
           where o.status = 'paid' and p.status = 'succeeded'
           order by o.id`,
    );
    const [cancelled, rejected] = seededPaid;
    if (!cancelled || !rejected) throw new Error('the seed has no paid orders to cancel and reject');
    const ownerOf = await executeRows<{ email: string }>(
      t.database.db,
      sql`select u.email from orders o join restaurants r on r.id = o.restaurant_id
            join users u on u.id = r.owner_id where o.id = ${rejected.id}`,
    );
    const ownerToken = await t.tokenFor(ownerOf[0]!.email);
    const ledgerBefore = await admin.ledger();

    const cancel = await post(`/orders/${cancelled.id}/cancel`, {
      token: await t.tokenFor(cancelled.email),
      ifMatch: `"v${cancelled.version}"`,
    });
    expect(cancel.status).toBe(200);
    const reject = await post(`/orders/${rejected.id}/reject`, {
      token: ownerToken,
      ifMatch: `"v${rejected.version}"`,
    });
    expect(reject.status).toBe(200);

    for (const id of [cancelled.id, rejected.id]) {
      const state = await refundState(id);
      expect(state).toMatchObject({ status: 'refunded', refund_attempts: 0, refund_last_error: null });
      expect(state.refund_reference).toMatch(/^re_seed_/);
      expect(logged('refund failed', id)).toEqual([]);
    }
    await maintenance();
    // The provider saw nothing of it: no refund call was made for a charge it never had.
    const ledgerAfter = await admin.ledger();
    expect(ledgerAfter.refunds.length).toBe(ledgerBefore.refunds.length);
  });
});
