import { describe, expect, it } from 'vitest';
import { money } from './money';
import { InMemoryPaymentProvider, PaymentProviderError } from './payment-provider';

const amount = money(2599, 'EUR');

describe('InMemoryPaymentProvider', () => {
  it('returns the same charge for the same key and the same request', async () => {
    const provider = new InMemoryPaymentProvider();
    const first = await provider.charge({ idempotencyKey: 'pay-order-1', orderId: 'order-1', amount });
    const retry = await provider.charge({ idempotencyKey: 'pay-order-1', orderId: 'order-1', amount });
    expect(retry).toEqual(first);
    expect(provider.charges.size).toBe(1);
  });

  it.each([
    ['another amount', { orderId: 'order-1', amount: money(1, 'EUR') }],
    ['another currency', { orderId: 'order-1', amount: money(2599, 'USD') }],
    ['another order', { orderId: 'order-2', amount }],
  ])(
    'refuses a known key sent with %s, as the HTTP provider does (422), and charges nothing more',
    async (_case, req) => {
      const provider = new InMemoryPaymentProvider();
      const first = await provider.charge({ idempotencyKey: 'pay-order-1', orderId: 'order-1', amount });
      const reuse = provider.charge({ idempotencyKey: 'pay-order-1', ...req });
      // Outcome known: the caller must not retry this with the same key hoping for another result.
      await expect(reuse).rejects.toMatchObject({
        name: 'PaymentProviderError',
        outcomeUnknown: false,
        message: expect.stringContaining('different parameters'),
      });
      expect(provider.charges.size).toBe(1);
      expect(await provider.findChargeByKey('pay-order-1')).toEqual(first);
    },
  );

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

  it('refuses a refund key reused for another amount, and a refund larger than what is left', async () => {
    const provider = new InMemoryPaymentProvider();
    const charge = await provider.charge({ idempotencyKey: 'pay', orderId: 'order-1', amount });
    await provider.refund({ idempotencyKey: 'r1', chargeId: charge.id, amount: money(1000, 'EUR') });
    await expect(
      provider.refund({ idempotencyKey: 'r1', chargeId: charge.id, amount: money(999, 'EUR') }),
    ).rejects.toMatchObject({
      outcomeUnknown: false,
      message: expect.stringContaining('different parameters'),
    });
    await expect(
      provider.refund({ idempotencyKey: 'r2', chargeId: charge.id, amount: money(1600, 'EUR') }),
    ).rejects.toMatchObject({ outcomeUnknown: false, message: expect.stringContaining('exceeds') });
    // A partial refund leaves the charge `succeeded`, as the HTTP provider's ledger does.
    expect((await provider.findChargeByKey('pay'))?.status).toBe('succeeded');
    expect(provider.refunds.size).toBe(1);
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
