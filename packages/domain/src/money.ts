/**
 * Money is an integer number of minor units plus an ISO 4217 currency code; never a float.
 */
export interface Money {
  amount: number;
  currency: string;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  if (!/^[A-Z]{3}$/.test(currency))
    throw new RangeError(`currency must be an ISO 4217 code, got ${currency}`);
  return { amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`cannot add ${a.currency} to ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

export function multiplyMoney(a: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor) || factor < 0)
    throw new RangeError(`factor must be a non-negative integer`);
  return money(a.amount * factor, a.currency);
}

/** Sum of unit price × quantity for order lines in one currency. */
export function lineTotal(lines: readonly { unitPrice: Money; quantity: number }[], currency: string): Money {
  return lines.reduce((sum, l) => addMoney(sum, multiplyMoney(l.unitPrice, l.quantity)), money(0, currency));
}
