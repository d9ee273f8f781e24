/**
 * Provider ledgers scenarios can read: the in-memory fake injected into an in-process app, or the
 * fake HTTP provider's own ledger (`GET /v1/ledger`) when the API runs against it.
 */
import type { Charge, InMemoryPaymentProvider, Refund } from '@quickeats/domain';
import { providerAdmin } from '@quickeats/payment-provider/client';
import type { LedgerCharge, ProviderLedger } from './types';

const entry = (x: Charge | Refund): LedgerCharge => ({
  id: x.id,
  idempotencyKey: x.idempotencyKey,
  amount: x.amount.amount,
  currency: x.amount.currency,
});

/** A ledger over any source of the provider's charges and refunds. */
function ledgerOver(snapshot: () => Promise<{ charges: Charge[]; refunds: Refund[] }>): ProviderLedger {
  return {
    chargesFor: async (orderId) => (await snapshot()).charges.filter((c) => c.orderId === orderId).map(entry),
    refundsFor: async (orderId) => {
      const { charges, refunds } = await snapshot();
      const ids = new Set(charges.filter((c) => c.orderId === orderId).map((c) => c.id));
      return refunds.filter((r) => ids.has(r.chargeId)).map(entry);
    },
  };
}

/** The ledger of an `InMemoryPaymentProvider` injected into the app under test. */
export function inMemoryLedger(provider: InMemoryPaymentProvider): ProviderLedger {
  return ledgerOver(async () => ({
    charges: [...provider.charges.values()],
    refunds: [...provider.refunds.values()],
  }));
}

/** The ledger of a running fake payment provider (`apps/payment-provider`). */
export function httpLedger(providerUrl: string): ProviderLedger {
  const admin = providerAdmin(providerUrl);
  return ledgerOver(() => admin.ledger());
}
