import { currencyDecimals } from '../amount';

/** An amount as messages show it to a person: `EUR 1234.56`, `-JPY 348000`. */
export function money(minorUnits: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const digits = String(Math.abs(minorUnits)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const amount = decimals === 0 ? whole : `${whole}.${digits.slice(-decimals)}`;
  return `${minorUnits < 0 ? '-' : ''}${currency} ${amount}`;
}
