import { describe, expect, it } from 'vitest';
import { money } from './money';
import { InMemoryPaymentProvider, PaymentProviderError } from './payment-provider';

const amount = money(2599, 'EUR');

describe('InMemoryPaymentProvider', () => {
  it('returns the same charge for the same key, even if the retry sends another amount', async () => {
    const provider = new InMemoryPaymentProvider();
    const first = await provider.charge({ idempotencyKey: 'pay-order-1', orderId: 'order-1', amount });
    const retry = await provider.charge({
      idempotencyKey: 'pay-order-1',
      orderId: 'order-1',
      amount: money(1, 'EUR'),
    });
    expect(retry).toEqual(first);
    expect(retry.amount).toEqual(amount);
    expect(provider.charges.size).toBe(1);
  });

  it('charges once for concurrent requests with one key', async () => {
    const provider = new InMemoryPaymentProvider();
    const charges = await Promise.all(
      Array.from({ length: 20 }, () => provider.charge({ idempotencyKey: 'k', orderId: 'order-1', amount })),
    );
    expect(new Set(charges.map((c) => c.id)).size).toBe(1);
    expect(provider.charges.size).toBe(1);
  });

  it('makes a new charge for a new key', async () => {
    const provider = new InMemoryPaymentProvider();
    const a = await provider.charge({ idempotencyKey: 'a', orderId: 'order-1', amount });
    const b = await provider.charge({ idempotencyKey: 'b', orderId: 'order-2', amount });
    expect(a.id).not.toBe(b.id);
    expect(provider.charges.size).toBe(2);
  });

  it('finds a charge by its key, and nothing for an unknown key', async () => {
    const provider = new InMemoryPaymentProvider();
    const charge = await provider.charge({ idempotencyKey: 'a', orderId: 'order-1', amount });
    expect(await provider.findChargeByKey('a')).toEqual(charge);
    expect(await provider.findChargeByKey('b')).toBeNull();
  });

  it('refunds once per key and marks the charge refunded', async () => {
    const provider = new InMemoryPaymentProvider();
    const charge = await provider.charge({ idempotencyKey: 'pay', orderId: 'order-1', amount });
    const first = await provider.refund({ idempotencyKey: 'refund-order-1', chargeId: charge.id, amount });
    const retry = await provider.refund({ idempotencyKey: 'refund-order-1', chargeId: charge.id, amount });
    expect(retry).toEqual(first);
    expect(first.chargeId).toBe(charge.id);
    expect(provider.refunds.size).toBe(1);
    expect((await provider.findChargeByKey('pay'))?.status).toBe('refunded');
  });

  it('throws a definite (not outcome-unknown) error for an unknown charge and records nothing', async () => {
    const provider = new InMemoryPaymentProvider();
    const refund = provider.refund({ idempotencyKey: 'r', chargeId: 'ch_missing', amount });
    await expect(refund).rejects.toBeInstanceOf(PaymentProviderError);
    await expect(refund).rejects.toMatchObject({
      outcomeUnknown: false,
      message: expect.stringContaining('ch_missing'),
    });
    expect(provider.refunds.size).toBe(0);
  });
});
