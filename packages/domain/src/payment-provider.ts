/**
 * The payment-provider port. A charge is made with a provider-side idempotency key: the provider
 * returns the existing charge for a key it has seen, so a retry after any failure (timeout after
 * charging, dropped connection, crashed process) never charges twice. Adapters: the in-memory fake
 * below (unit tests) and the HTTP client of the fake provider server (integration tests, `pnpm start`).
 */
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
  /** Charge once per key: a known key returns its existing charge, whatever the amount sent. */
  charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge>;
  /** Refund once per key. */
  refund(req: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<Refund>;
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

/** In-memory provider for unit tests; same idempotency contract as the real one. */
export class InMemoryPaymentProvider implements PaymentProvider {
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  private seq = 0;

  async charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge> {
    const existing = this.charges.get(req.idempotencyKey);
    if (existing) return existing;
    const charge: Charge = {
      id: `ch_${++this.seq}`,
      idempotencyKey: req.idempotencyKey,
      orderId: req.orderId,
      amount: req.amount,
      status: 'succeeded',
      createdAt: new Date().toISOString(),
    };
    this.charges.set(req.idempotencyKey, charge);
    return charge;
  }

  async refund(req: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<Refund> {
    const existing = this.refunds.get(req.idempotencyKey);
    if (existing) return existing;
    const charge = [...this.charges.values()].find((c) => c.id === req.chargeId);
    if (!charge) throw new PaymentProviderError(`unknown charge ${req.chargeId}`, false);
    charge.status = 'refunded';
    const refund: Refund = {
      id: `re_${++this.seq}`,
      chargeId: req.chargeId,
      idempotencyKey: req.idempotencyKey,
      amount: req.amount,
      createdAt: new Date().toISOString(),
    };
    this.refunds.set(req.idempotencyKey, refund);
    return refund;
  }

  async findChargeByKey(idempotencyKey: string): Promise<Charge | null> {
    return this.charges.get(idempotencyKey) ?? null;
  }
}
