/** Money arrives as integer minor units plus an ISO 4217 currency; this turns it into display text. */
import type { Money } from './public/types.generated';

/**
 * Format an amount for people, with the currency's own number of decimals.
 *
 * @example
 * formatMoney({ amount: 1250, currency: 'USD' }); // "$12.50"
 * formatMoney({ amount: 9000, currency: 'KRW' }); // "₩9,000"
 */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}
