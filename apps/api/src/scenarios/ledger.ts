/** Provider ledgers scenarios can read. The fake HTTP provider's admin client will add another. */
import type { InMemoryPaymentProvider } from '@quickeats/domain';
import type { LedgerCharge, ProviderLedger } from './types';

/** The ledger of an `InMemoryPaymentProvider` injected into the app under test. */
export function inMemoryLedger(provider: InMemoryPaymentProvider): ProviderLedger {
  const charges = (orderId: string) => [...provider.charges.values()].filter((c) => c.orderId === orderId);
  return {
    chargesFor: async (orderId) =>
      charges(orderId).map(
        (c): LedgerCharge => ({
          id: c.id,
          idempotencyKey: c.idempotencyKey,
          amount: c.amount.amount,
          currency: c.amount.currency,
        }),
      ),
    refundsFor: async (orderId) => {
      const ids = new Set(charges(orderId).map((c) => c.id));
      return [...provider.refunds.values()]
        .filter((r) => ids.has(r.chargeId))
        .map((r) => ({
          id: r.id,
          idempotencyKey: r.idempotencyKey,
          amount: r.amount.amount,
          currency: r.amount.currency,
        }));
    },
  };
}
