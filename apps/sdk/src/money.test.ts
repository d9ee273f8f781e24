import { describe, expect, it } from 'vitest';
import { formatMoney } from './money';

describe('formatMoney', () => {
  it('uses the currency minor unit: cents for USD, none for KRW, mills for KWD', () => {
    expect(formatMoney({ amount: 1250, currency: 'USD' })).toBe('$12.50');
    expect(formatMoney({ amount: 9000, currency: 'KRW' })).toBe('₩9,000');
    // Intl puts a no-break space between code and amount.
    expect(formatMoney({ amount: 1500, currency: 'KWD' })).toBe('KWD\u00a01.500');
  });
});
