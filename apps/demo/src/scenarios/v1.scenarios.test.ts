/**
 * SPEC problems 1–4, proven on v1 against the real PostgreSQL with the reusable scenarios (the
 * same scenarios will run against v2 through its adapter and must come out the other way).
 */

import { V1_ORDER_RELATIONS } from '@quickeats/api/v1/legacy-relations';
import { loadDemoWorld, orderEvents, orders, payments } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { InMemoryPaymentProvider, LIFECYCLE } from '@quickeats/domain';
import { type ApiProcess, startApiProcess } from '@quickeats/test-support';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from './http-target';
import { invalidTransitionScenario } from './invalid-transition.scenario';
import { inMemoryLedger } from './ledger';
import { listStatementsScenario } from './list-statements.scenario';
import { racingCancelAcceptScenario } from './racing-cancel-accept.scenario';
import { retriedPaymentScenario } from './retried-payment.scenario';
import { type ScenarioServer, startScenarioServer } from './test-server';
import type { ProviderLedger, ScenarioContext } from './types';
import { v1Adapter } from './v1.adapter';

describe('v1 problems 1, 2 and 4 (in-process app, real PostgreSQL)', () => {
  let t: ScenarioServer;
  let ctx: ScenarioContext & { ledger: ProviderLedger };
  beforeAll(async () => {
    const provider = new InMemoryPaymentProvider();
    // 60 seeded orders, so the admin can list 50.
    t = await startScenarioServer({ seed: { orders: 60 }, paymentProvider: provider });
    ctx = {
      adapter: v1Adapter,
      http: urlTarget(t.url),
      world: await loadDemoWorld(t.database.db),
      ledger: inMemoryLedger(provider),
    };
  });
  afterAll(() => t?.close());

  it('problem 1: a PUT moves a delivered order to cancelled (invalid transition accepted)', async () => {
    const outcome = await invalidTransitionScenario(ctx);
    expect(outcome).toMatchObject({
      from: 'delivered',
      action: 'cancel',
      as: 'customer',
      lifecycleAllows: false,
    });
    expect(outcome.response.status).toBe(200);
    expect(outcome.final.status).toBe('cancelled');
    expect(outcome.invalidTransitionAccepted).toBe(true);
    // …and the legacy cancel refunded a meal that was delivered.
    expect(outcome.providerRefunds).toBe(1);
    expect(outcome.final.paymentStatus).toBe('refunded');
    const [row] = await t.database.db.select().from(orders).where(eq(orders.id, outcome.orderId));
    expect(row?.status).toBe('cancelled');
  });

  it('problem 2: a retried payment is charged twice at the provider', async () => {
    const outcome = await retriedPaymentScenario(ctx);
    expect(outcome.attempts.map((a) => a.status)).toEqual([200, 200]);
    // The provider's ledger is the proof: two charges, each under its own fresh key.
    expect(outcome.providerCharges).toBe(2);
    expect(new Set(outcome.charges.map((c) => c.idempotencyKey)).size).toBe(2);
    expect(outcome.doubleCharged).toBe(true);
    const orderTotal = outcome.charges[0]!.amount;
    expect(outcome.totalCharged).toBe(2 * orderTotal);
    // The database looks healthy — one payment row, naming the last charge — so only the ledger
    // shows the first charge, orphaned.
    const rows = await t.database.db.select().from(payments).where(eq(payments.orderId, outcome.orderId));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.providerReference).toBe(outcome.charges[1]!.id);
    expect(outcome.orphanedCharges).toEqual([outcome.charges[0]!.id]);
  });

  it('problem 4: listing N orders issues 1 + N·k statements (N = 10 and 50)', async () => {
    // k is what v1 nests per order (one query per relation), not a number read off the result.
    const k = V1_ORDER_RELATIONS.length;
    const outcome = await listStatementsScenario(ctx, { sizes: [10, 50] });
    expect(outcome.runs.map((r) => [r.n, r.status, r.returned])).toEqual([
      [10, 200, 10],
      [50, 200, 50],
    ]);
    for (const run of outcome.runs) expect(run.statements).toBe(1 + run.n * k);
    expect(outcome.fit).toEqual({ base: 1, perOrder: k });
  });
});

describe('v1 problem 3 (a real API process, two concurrent HTTP connections)', () => {
  let db: TestDatabase;
  let api: ApiProcess;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 10 } });
    // The write window makes the interleaving deterministic: each request holds what it read for
    // a second before writing, so two requests sent together both read `paid` before either writes,
    // with a wide margin for a loaded CI machine (the test also checks that the interleaving happened).
    api = await startApiProcess({ DATABASE_URL: db.url, V1_LEGACY_WRITE_DELAY_MS: '1000' });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('a concurrent cancel and accept both succeed and one update is lost', async () => {
    const outcome = await racingCancelAcceptScenario({
      adapter: v1Adapter,
      http: urlTarget(api.url),
      world: await loadDemoWorld(db.db),
    });
    expect(outcome.start.status).toBe('paid');
    expect(outcome.responses.cancel.status).toBe(200);
    expect(outcome.responses.accept.status).toBe(200);
    expect(outcome.succeeded).toEqual(['cancel', 'accept']);
    // Both writers read `paid` before either wrote: the interleaving really happened.
    expect(outcome.interleaved).toBe(true);
    expect(outcome.lostUpdate).toBe(true);
    // Whichever wrote last won; the other's effect is gone although it was told "200".
    const winner = outcome.lostAction === 'cancel' ? 'accept' : 'cancel';
    expect(outcome.lostAction).toMatch(/^(cancel|accept)$/);
    expect(outcome.final.status).toBe(LIFECYCLE.find((r) => r.action === winner)!.to);
    // Both writes landed (version + 2), so the loss is invisible in the row itself…
    expect(outcome.final.version).toBe(outcome.start.version + 2);
    // …but the audit log, written from what each request read, tells two stories from `paid`.
    const events = await db.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, outcome.orderId))
      .orderBy(asc(orderEvents.version));
    const racing = events.filter((e) => e.version > outcome.start.version);
    expect(racing.map((e) => e.fromStatus)).toEqual(['paid', 'paid']);
    expect(racing.map((e) => e.action).sort()).toEqual(['accept', 'cancel']);
    const [row] = await db.db.select().from(orders).where(eq(orders.id, outcome.orderId));
    expect(row?.status).toBe(outcome.final.status);
  });
});
