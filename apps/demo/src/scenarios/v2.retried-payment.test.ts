/**
 * Problem 2 (double charges) re-run on v2 with the same scenario code as on v1, through the v2
 * adapter (which sends the payment intent's key as `Idempotency-Key`): a real API process, the fake
 * provider as its own process — dropping the connection after its first charge, as a flaky network
 * would — and the provider's own ledger as the judge. v1 charges twice; v2 must charge once.
 */
import { loadDemoWorld, payments } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { providerAdmin } from '@quickeats/payment-provider/client';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import { type ApiProcess, startApiProcess, startProviderProcess } from '@quickeats/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from './http-target';
import { httpLedger } from './ledger';
import { retriedPaymentScenario } from './retried-payment.scenario';
import { v2Adapter } from './v2.adapter';

describe('v2 problem 2 (API process, fake provider process)', () => {
  let db: TestDatabase;
  let provider: SpawnedProvider;
  let api: ApiProcess;
  beforeAll(async () => {
    [db, provider] = await Promise.all([
      createTestDatabase({ seed: { orders: 10 } }),
      startProviderProcess(),
    ]);
    api = await startApiProcess({ DATABASE_URL: db.url, PAYMENT_PROVIDER_URL: provider.url });
  });
  afterAll(async () => {
    await api?.stop();
    await provider?.stop();
    await db?.close();
  });

  it('a retried payment is charged once: the retry replays the first answer', async () => {
    await providerAdmin(provider.url).setFaults({ dropAfterCharge: { times: 1, on: ['charge'] } });
    const outcome = await retriedPaymentScenario({
      adapter: v2Adapter,
      http: urlTarget(api.url),
      world: await loadDemoWorld(db.db),
      ledger: httpLedger(provider.url),
    });

    // The provider's ledger is the proof: one charge, under the order's key.
    expect(outcome.doubleCharged).toBe(false);
    expect(outcome.providerCharges).toBe(1);
    expect(outcome.charges[0]!.idempotencyKey).toBe(`order:${outcome.orderId}:charge`);
    // Both attempts succeeded with the same answer: the retry was the first response, replayed.
    const [first, retry] = outcome.attempts;
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    // The database records that one charge, once.
    const rows = await db.db.select().from(payments).where(eq(payments.orderId, outcome.orderId));
    expect(rows.map((r) => r.providerReference)).toEqual([outcome.charges[0]!.id]);
  });
});
