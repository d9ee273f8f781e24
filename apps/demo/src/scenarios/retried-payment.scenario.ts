/**
 * Problem 2 — double charges. The customer pays; the answer is lost on the way back (the request
 * was processed, the client only sees a network failure), so the client retries the *same*
 * payment intent with the same view of the order. The provider's own ledger then says how many
 * times the customer was charged: v1 twice, v2 once (the retry replays the first answer).
 */
import { randomUUID } from 'node:crypto';
import { loginAll, prepareOrder } from './prepare-order';
import type { HttpExchange, LedgerCharge, ProviderLedger, ScenarioContext } from './types';

export interface RetriedPaymentOutcome {
  scenario: 'retried-payment';
  surface: string;
  orderId: string;
  /** The attempt whose answer the client never saw, then its retry. */
  attempts: [HttpExchange, HttpExchange];
  providerCharges: number;
  charges: LedgerCharge[];
  totalCharged: number;
  /** The payment the API's database records for the order. */
  recordedPayment: { status: string; providerReference: string } | null;
  /** Provider charges the recorded payment does not name: money taken that the API has no row for. */
  orphanedCharges: string[];
  doubleCharged: boolean;
  evidence: string[];
}

export async function retriedPaymentScenario(
  ctx: ScenarioContext & { ledger: ProviderLedger },
): Promise<RetriedPaymentOutcome> {
  const sessions = await loginAll(ctx);
  const order = await prepareOrder(ctx, sessions, 'pending');
  const intent = { key: randomUUID() };
  const first = await ctx.adapter.pay(ctx.http, sessions.customer, order, intent);
  // The client never saw `first`: it still holds `order` as it was and retries the same intent.
  const retry = await ctx.adapter.pay(ctx.http, sessions.customer, order, intent);

  const charges = await ctx.ledger.chargesFor(order.id);
  const after = await ctx.adapter.readOrder(ctx.http, sessions.admin, order.id);
  const recorded = after.payment;
  const orphanedCharges = charges.filter((c) => c.id !== recorded?.providerReference).map((c) => c.id);
  const totalCharged = charges.reduce((sum, c) => sum + c.amount, 0);
  return {
    scenario: 'retried-payment',
    surface: ctx.adapter.surface,
    orderId: order.id,
    attempts: [first.http, retry.http],
    providerCharges: charges.length,
    charges,
    totalCharged,
    recordedPayment: recorded,
    orphanedCharges,
    doubleCharged: charges.length > 1,
    evidence: [
      `attempt: ${first.http.method} ${first.http.path} → ${first.http.status} (answer lost)`,
      `retry:   ${retry.http.method} ${retry.http.path} → ${retry.http.status}`,
      `the provider's ledger holds ${charges.length} charge(s) for the order, ${totalCharged} minor units in all` +
        (charges.length > 0
          ? ` (${charges.map((c) => `${c.id} ${c.amount} ${c.currency}`).join(', ')})`
          : ''),
      `the API records ${recorded ? `one payment (${recorded.providerReference})` : 'no payment'}` +
        (orphanedCharges.length > 0 ? `; charges it has no row for: ${orphanedCharges.join(', ')}` : ''),
    ],
  };
}
