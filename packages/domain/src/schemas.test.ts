import { describe, expect, it } from 'vitest';
import {
  CreateOrderInputSchema,
  IdempotencyKeySchema,
  MoneySchema,
  OrderActionBodySchema,
  OrderActionSchema,
} from './schemas';

const uuid = '3f1c2b9e-8a4d-4c6e-9b1a-2d3e4f5a6b7c';

describe('schemas', () => {
  it('refuses unknown fields (SPEC: unknown fields refused)', () => {
    expect(OrderActionBodySchema.safeParse({ reason: 'late', status: 'delivered' }).success).toBe(false);
    expect(
      CreateOrderInputSchema.safeParse({
        restaurantId: uuid,
        items: [{ menuItemId: uuid, quantity: 1 }],
        total: 1,
      }).success,
    ).toBe(false);
  });

  it('accepts a minimal valid order', () => {
    expect(
      CreateOrderInputSchema.safeParse({ restaurantId: uuid, items: [{ menuItemId: uuid, quantity: 2 }] })
        .success,
    ).toBe(true);
  });

  it('refuses fractional money and lower-case currencies', () => {
    expect(MoneySchema.safeParse({ amount: 19.99, currency: 'EUR' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 1999, currency: 'eur' }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 1999, currency: 'EUR' }).success).toBe(true);
  });

  it('knows only the lifecycle actions', () => {
    expect(OrderActionSchema.safeParse('pick-up').success).toBe(true);
    expect(OrderActionSchema.safeParse('pickUp').success).toBe(false);
  });

  it('accepts an idempotency key with the header’s syntax and names why another is refused', () => {
    expect(IdempotencyKeySchema.safeParse('order-42-pay').success).toBe(true);
    const tooLong = IdempotencyKeySchema.safeParse('k'.repeat(256));
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.message).toBe('must be at most 255 characters');
    expect(IdempotencyKeySchema.safeParse('').success).toBe(false);
  });
});
