/**
 * Orphan charges: the provider holds a charge made with an order's charge key and no payment row
 * records it — the pay died between the charge and the commit. The maintenance pass settles it:
 * a pending order becomes paid with the charge recorded, a cancelled one gets its money back; a
 * pending order younger than the lease (a pay possibly still running) is left alone, and so is a
 * charge younger than two leases (its client may still retry the pay with its key); passes running
 * at once settle each order once.
 */
import { executeRows } from '@quickeats/db';
import { type Charge, InMemoryPaymentProvider } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, METRICS } from '../observability/metrics';
import { demoDish, newKey, placeOrder, postInit } from '../testing/orders-fixture';
import { parseScrape } from '../testing/prometheus';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { runMaintenance } from './maintenance';
import { chargeKey } from './orders.service';
import { chargeSettleable } from './reconciliation';

describe('orphan-charge reconciliation', () => {
  const provider = new InMemoryPaymentProvider();
  let t: TestApp;
  let customer: string;
  let dish: { restaurantId: string; menuItemId: string };

  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 }, paymentProvider: provider });
    customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
    dish = await demoDish(t.database.db);
  });
  afterAll(() => t?.close());

  const pendingOrder = () => placeOrder((p, i) => t.app.request(p, i), customer, dish, 2);
  /** What a pay that died after the provider answered leaves behind: a charge, nothing else. */
  const chargeOnly = (order: { id: string; total: number; currency: string }) =>
    provider.charge({
      idempotencyKey: chargeKey(order.id),
      orderId: order.id,
      amount: { amount: order.total, currency: order.currency },
    });
  /** The order last changed ten minutes ago: older than any lease. */
  const ageOrder = (orderId: string) =>
    t.database.db.execute(
      sql`update orders set updated_at = now() - interval '10 minutes' where id = ${orderId}`,
    );
  /** The order and its charge ten minutes old: the pay that charged and its client are certainly gone. */
  const age = async (orderId: string) => {
    await ageOrder(orderId);
    const key = chargeKey(orderId);
    const charge = provider.charges.get(key);
    if (charge)
      provider.charges.set(key, { ...charge, createdAt: new Date(Date.now() - 10 * 60_000).toISOString() });
  };
  const state = async (orderId: string) => {
    const [row] = await executeRows<{
      status: string;
      version: number;
      payment: string | null;
      events: number;
    }>(
      t.database.db,
      sql`select o.status, o.version, p.status as payment,
                 (select count(*)::int from order_events e where e.order_id = o.id) as events
            from orders o left join payments p on p.order_id = o.id where o.id = ${orderId}`,
    );
    return row;
  };

  it('records the charge of a pending order and moves it to paid, once', async () => {
    const order = await pendingOrder();
    const charge = await chargeOnly(order);
    await age(order.id);
    const first = await runMaintenance(t.deps);
    expect(first.orphans.paid).toBe(1);
    expect(await state(order.id)).toEqual({ status: 'paid', version: 2, payment: 'succeeded', events: 2 });
    const [payment] = await executeRows<{ provider_reference: string; amount: number }>(
      t.database.db,
      sql`select provider_reference, amount from payments where order_id = ${order.id}`,
    );
    expect(payment).toEqual({ provider_reference: charge.id, amount: order.total });
    expect((await runMaintenance(t.deps)).orphans.paid).toBe(0);
    expect(await state(order.id)).toMatchObject({ status: 'paid', version: 2 });
  });

  it('counts each settled orphan as a reconciled payment outcome', async () => {
    const metrics = createMetrics();
    const order = await pendingOrder();
    await chargeOnly(order);
    await age(order.id);
    expect((await runMaintenance({ ...t.deps, metrics })).orphans.paid).toBe(1);
    const page = parseScrape(await metrics.registry!.metrics());
    expect(page.value(METRICS.paymentOutcomes.name, { outcome: 'reconciled' })).toBe(1);
  });

  it('refunds the charge of an order cancelled meanwhile', async () => {
    const order = await pendingOrder();
    // The cancel's own lookup at the provider found nothing: the charge came after it.
    const cancel = await t.app.request(
      `/api/v2/orders/${order.id}/cancel`,
      postInit({ token: customer, ifMatch: '"v1"' }),
    );
    expect(cancel.status).toBe(200);
    await chargeOnly(order);
    expect((await runMaintenance(t.deps)).orphans.refunded).toBe(1);
    expect(await state(order.id)).toMatchObject({ status: 'cancelled', payment: 'refunded' });
    expect([...provider.refunds.values()].filter((r) => r.idempotencyKey.includes(order.id))).toHaveLength(1);
    expect((await runMaintenance(t.deps)).orphans.refunded).toBe(0);
  });

  it('leaves a pending order alone while a pay may still hold its lease', async () => {
    const order = await pendingOrder();
    await chargeOnly(order);
    expect((await runMaintenance(t.deps)).orphans.paid).toBe(0);
    expect(await state(order.id)).toMatchObject({ status: 'pending', payment: null });
  });

  it('leaves a charge younger than two leases to a retry of the pay, which records it and answers 200', async () => {
    const order = await pendingOrder();
    const charge = await chargeOnly(order);
    // The order is old (created long before its pay began) but the charge is new.
    await ageOrder(order.id);
    const pass = await runMaintenance(t.deps);
    expect(pass.orphans).toMatchObject({ paid: 0, deferred: 1 });
    expect(await state(order.id)).toMatchObject({ status: 'pending', version: 1, payment: null });

    // The pay is retried: the charge found by the order's key is recorded, and the answer is 200.
    const retry = await t.app.request(
      `/api/v2/orders/${order.id}/pay`,
      postInit({ token: customer, key: newKey(), ifMatch: '"v1"' }),
    );
    expect(retry.status).toBe(200);
    expect(await state(order.id)).toEqual({ status: 'paid', version: 2, payment: 'succeeded', events: 2 });
    expect([...provider.charges.values()].filter((c) => c.orderId === order.id)).toEqual([charge]);
    expect((await runMaintenance(t.deps)).orphans).toMatchObject({ paid: 0, deferred: 0 });
  });

  it('settles a charge two leases old, and one from a provider that gives no readable time', () => {
    const charge = { createdAt: 'unknown' } as Charge;
    expect(chargeSettleable(charge, 30)).toBe(true);
    const now = Date.parse('2026-12-04T00:01:00Z');
    expect(chargeSettleable({ ...charge, createdAt: '2026-12-04T00:00:00.001Z' }, 30, now)).toBe(false);
    expect(chargeSettleable({ ...charge, createdAt: '2026-12-04T00:00:00Z' }, 30, now)).toBe(true);
  });

  it('passes running at once (several processes) settle each orphan once', async () => {
    const orders = await Promise.all([pendingOrder(), pendingOrder(), pendingOrder()]);
    for (const order of orders) {
      await chargeOnly(order);
      await age(order.id);
    }
    const passes = await Promise.all([
      runMaintenance(t.deps),
      runMaintenance(t.deps),
      runMaintenance(t.deps),
    ]);
    expect(passes.reduce((n, p) => n + p.orphans.paid, 0)).toBe(3);
    for (const order of orders)
      expect(await state(order.id)).toEqual({ status: 'paid', version: 2, payment: 'succeeded', events: 2 });
  });
});
