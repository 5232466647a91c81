import { BankRequestError } from '../errors';

/**
 * Berlin Group amounts are decimal strings (`-?[0-9]{1,14}(\.[0-9]{1,3})?`). Read as text, never as a float, so
 * "0.29" is 29 cents and not 28.999...; null when the amount is not a whole number of cents.
 */
export function parseAmountCents(amount: string): number | null {
  const match = /^(-)?(\d{1,14})(?:\.(\d{1,3}))?$/.exec(amount.trim());
  if (!match) return null;
  const [, minus, whole = '', fraction = ''] = match;
  if (fraction.length === 3 && !fraction.endsWith('0')) return null;
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return null;
  return minus && cents !== 0 ? -cents : cents;
}

/** Rounding a bank's amount would put a wrong figure in the books; refuse the answer instead. */
export function amountCentsOf(bankCode: string, amount: string): number {
  const cents = parseAmountCents(amount);
  if (cents === null)
    throw new BankRequestError(`the bank sent amount "${amount}", which is not a whole number of cents`, { bankCode });
  return cents;
}
