import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMoney, lineTotal, money, multiplyMoney } from './money';

describe('money', () => {
  it('holds integer minor units and an ISO 4217 code', () => {
    expect(money(1999, 'EUR')).toEqual({ amount: 1999, currency: 'EUR' });
    expect(money(0, 'KRW')).toEqual({ amount: 0, currency: 'KRW' });
  });

  it.each([
    ['a fraction', 19.99],
    ['a negative amount', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
  ])('refuses %s as an amount', (_case, amount) => {
    expect(() => money(amount, 'EUR')).toThrow(RangeError);
  });

  it.each([['eur'], ['EURO'], ['E1R'], ['']])('refuses %j as a currency', (currency) => {
    expect(() => money(100, currency)).toThrow(RangeError);
  });

  it('refuses every non-integer amount', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }).filter((x) => !Number.isInteger(x)),
        (amount) => {
          expect(() => money(amount, 'USD')).toThrow(RangeError);
        },
      ),
    );
  });
});

describe('addMoney', () => {
  it('adds amounts of one currency', () => {
    expect(addMoney(money(150, 'USD'), money(275, 'USD'))).toEqual(money(425, 'USD'));
  });

  it('throws on a currency mismatch instead of mixing units', () => {
    expect(() => addMoney(money(150, 'USD'), money(150, 'EUR'))).toThrow(/cannot add USD to EUR/);
  });

  it('throws when the sum leaves the safe-integer range, rather than losing cents', () => {
    expect(() => addMoney(money(Number.MAX_SAFE_INTEGER, 'USD'), money(1, 'USD'))).toThrow(RangeError);
  });

  it('is exact integer addition, in any order', () => {
    const amount = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        const sum = addMoney(money(a, 'JPY'), money(b, 'JPY'));
        expect(sum).toEqual(money(a + b, 'JPY'));
        expect(addMoney(money(b, 'JPY'), money(a, 'JPY'))).toEqual(sum);
      }),
    );
  });
});

describe('multiplyMoney', () => {
  it('multiplies by an integer quantity', () => {
    expect(multiplyMoney(money(250, 'GBP'), 3)).toEqual(money(750, 'GBP'));
  });

  it.each([[1.5], [-1], [Number.NaN]])('refuses the factor %d', (factor) => {
    expect(() => multiplyMoney(money(250, 'GBP'), factor)).toThrow(RangeError);
  });
});

describe('lineTotal', () => {
  it('sums unit price × quantity', () => {
    const lines = [
      { unitPrice: money(1200, 'EUR'), quantity: 2 },
      { unitPrice: money(350, 'EUR'), quantity: 3 },
    ];
    expect(lineTotal(lines, 'EUR')).toEqual(money(3450, 'EUR'));
  });

  it('is zero in the order currency for no lines', () => {
    expect(lineTotal([], 'EUR')).toEqual(money(0, 'EUR'));
  });

  it('throws when a line is priced in another currency than the order', () => {
    expect(() => lineTotal([{ unitPrice: money(100, 'USD'), quantity: 1 }], 'EUR')).toThrow(RangeError);
  });

  it('equals the integer sum of its lines', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            price: fc.integer({ min: 0, max: 1_000_000 }),
            quantity: fc.integer({ min: 1, max: 99 }),
          }),
        ),
        (rows) => {
          const total = lineTotal(
            rows.map((r) => ({ unitPrice: money(r.price, 'EUR'), quantity: r.quantity })),
            'EUR',
          );
          expect(total).toEqual(
            money(
              rows.reduce((s, r) => s + r.price * r.quantity, 0),
              'EUR',
            ),
          );
          expect(Number.isInteger(total.amount)).toBe(true);
        },
      ),
    );
  });
});
