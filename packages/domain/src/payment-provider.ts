/**
 * The payment-provider port. A charge is made with a provider-side idempotency key: the provider
 * returns the existing charge for a key it has seen with the same request, so a retry after any
 * failure (timeout after charging, dropped connection, crashed process) never charges twice. A key
 * seen with a *different* request is refused, as Stripe does (HTTP 422): silently returning the old
 * charge would hide a caller bug (two payments sharing one key). Adapters: the in-memory fake below
 * (unit tests) and the HTTP client of the fake provider server (integration tests, `pnpm start`);
 * both follow this contract.
 */
import { canonicalJson } from './canonical-json';
import type { Money } from './money';

export interface Charge {
  id: string;
  idempotencyKey: string;
  orderId: string;
  amount: Money;
  status: 'succeeded' | 'refunded';
  createdAt: string;
}

export interface Refund {
  id: string;
  chargeId: string;
  idempotencyKey: string;
  amount: Money;
  createdAt: string;
}

export interface PaymentProvider {
  /**
   * Charge once per key: a known key with the same order and amount returns its existing charge;
   * with another order or amount it throws `PaymentProviderError` (outcome known: nothing happened).
   */
  charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge>;
  /** Refund once per key, with the same rule for a key reused with another charge or amount. */
  refund(req: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<Refund>;
  /** The charge made with this key, or null when the provider never saw the key. */
  findChargeByKey(idempotencyKey: string): Promise<Charge | null>;
}

/**
 * Thrown by adapters when the provider failed or did not answer. `outcomeUnknown` means the charge
 * may have happened (timeout, dropped connection): the caller must retry with the same key, not a new one.
 */
export class PaymentProviderError extends Error {
  readonly outcomeUnknown: boolean;
  constructor(message: string, outcomeUnknown: boolean) {
    super(message);
    this.name = 'PaymentProviderError';
    this.outcomeUnknown = outcomeUnknown;
  }
}

/**
 * In-memory provider for unit tests; the same idempotency contract as the fake HTTP provider
 * (`apps/payment-provider`): replay for the same request, refusal for a reused key, refunds never
 * larger than what is left of the charge.
 */
export class InMemoryPaymentProvider implements PaymentProvider {
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  /** Key → canonical request it was first used with: what "the same request" means for a replay. */
  private readonly requests = new Map<string, string>();
  private seq = 0;

  async charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge> {
    const request = canonicalJson({ orderId: req.orderId, amount: req.amount });
    const existing = this.charges.get(req.idempotencyKey);
    if (existing) return this.replay(`charge:${req.idempotencyKey}`, request, existing);
    const charge: Charge = {
      id: `ch_${++this.seq}`,
      idempotencyKey: req.idempotencyKey,
      orderId: req.orderId,
      amount: { ...req.amount },
      status: 'succeeded',
      createdAt: new Date().toISOString(),
    };
    this.charges.set(req.idempotencyKey, charge);
    this.requests.set(`charge:${req.idempotencyKey}`, request);
    return { ...charge };
  }

  async refund(req: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<Refund> {
    const request = canonicalJson({ chargeId: req.chargeId, amount: req.amount });
    const existing = this.refunds.get(req.idempotencyKey);
    if (existing) return this.replay(`refund:${req.idempotencyKey}`, request, existing);
    const charge = [...this.charges.values()].find((c) => c.id === req.chargeId);
    if (!charge) throw new PaymentProviderError(`unknown charge ${req.chargeId}`, false);
    if (charge.amount.currency !== req.amount.currency)
      throw new PaymentProviderError(
        `refund currency differs from the charge's ${charge.amount.currency}`,
        false,
      );
    const refunded = [...this.refunds.values()]
      .filter((r) => r.chargeId === charge.id)
      .reduce((sum, r) => sum + r.amount.amount, 0);
    if (req.amount.amount > charge.amount.amount - refunded)
      throw new PaymentProviderError(
        `refund of ${req.amount.amount} exceeds what is left of the charge`,
        false,
      );
    // Like the HTTP provider (and Stripe's `refunded` flag): only a charge refunded in full is `refunded`.
    if (refunded + req.amount.amount === charge.amount.amount) charge.status = 'refunded';
    const refund: Refund = {
      id: `re_${++this.seq}`,
      chargeId: req.chargeId,
      idempotencyKey: req.idempotencyKey,
      amount: { ...req.amount },
      createdAt: new Date().toISOString(),
    };
    this.refunds.set(req.idempotencyKey, refund);
    this.requests.set(`refund:${req.idempotencyKey}`, request);
    return { ...refund };
  }

  async findChargeByKey(idempotencyKey: string): Promise<Charge | null> {
    const charge = this.charges.get(idempotencyKey);
    return charge ? { ...charge } : null;
  }

  private replay<T extends Charge | Refund>(slot: string, request: string, existing: T): T {
    if (this.requests.get(slot) !== request) {
      throw new PaymentProviderError(
        `Idempotency-Key ${JSON.stringify(existing.idempotencyKey)} was already used with different parameters`,
        false,
      );
    }
    return { ...existing };
  }
}
