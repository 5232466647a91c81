import { DUTCH_BANK_CODES, type DutchBankCode } from './iban';

/** The banks a connection can be made with, by their code in the IBAN, and the name people know them by. */
export const BANK_NAMES: Readonly<Record<DutchBankCode, string>> = { INGB: 'ING', RABO: 'Rabobank', ABNA: 'ABN AMRO' };

/** The bank's name for e-mails and pages; an unknown code is shown as it is. */
export function bankName(code: string): string {
  return (DUTCH_BANK_CODES as readonly string[]).includes(code) ? BANK_NAMES[code as DutchBankCode] : code;
}
