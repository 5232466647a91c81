import {
  characterCount,
  type FieldLimit,
  firstCharacters,
  TRANSACTION_FIELD_LIMITS,
  type TransactionField,
  withoutNul,
} from './value-limits';

/** The values of one entry that reach bank_transaction, whichever channel (file or bank API) it came through. */
export interface EntryValues {
  bookingDate: string;
  valueDate: string;
  currency: string;
  counterpartyIban: string | null;
  counterpartyName: string | null;
  description: string;
  endToEndId: string | null;
  bankReference: string | null;
  bankTransactionCode: string | null;
}

export interface EntryFit {
  /** Free text that was shortened, one phrase per field: "counterparty name of 300 characters shortened to 140". */
  warnings: string[];
  /** Values that cannot be stored as they are; the entry must not be imported. */
  refusals: string[];
}

const DATES = { bookingDate: 'booking date', valueDate: 'value date' } as const;
/** A reference this long names an entry well enough; a longer one would drown the message it is in. */
const NAME_LENGTH = 40;

/** Fits the entry's values in place by the rule of value-limits.ts, and says what it changed or refuses. */
export function fitEntry(entry: EntryValues): EntryFit {
  const fit = fitFields(entry as unknown as Record<TransactionField, string | null>, TRANSACTION_FIELD_LIMITS);
  for (const [field, label] of Object.entries(DATES) as [keyof typeof DATES, string][]) {
    if (!isCalendarDate(entry[field]))
      fit.refusals.push(`${label} "${firstCharacters(entry[field], 20)}" is not a date`);
  }
  return fit;
}

/** Fits the named text fields of `values` in place to `limits` (value-limits.ts); a null stays null. */
export function fitFields<Field extends string>(
  values: NoInfer<Record<Field, string | null>>,
  limits: Record<Field, FieldLimit>,
): EntryFit {
  const fit: EntryFit = { warnings: [], refusals: [] };
  for (const field of Object.keys(limits) as Field[]) {
    const value = values[field];
    if (value === null || value === undefined) continue;
    const clean = withoutNul(value);
    const { label, kind, max } = limits[field];
    const length = max === null || clean.length <= max ? 0 : characterCount(clean);
    if (max === null || length <= max) values[field] = clean;
    else if (kind === 'text') {
      values[field] = firstCharacters(clean, max);
      fit.warnings.push(`${label} of ${length} characters shortened to ${max}`);
    } else fit.refusals.push(`${label} of ${length} characters refused: at most ${max} fit`);
  }
  return fit;
}

/** How a message names an entry of a bank: by its reference (the start of a long one), else by where it is. */
export function entryName(bankReference: string | null, where: string): string {
  if (bankReference === null || bankReference.trim() === '') return `entry ${where}`;
  const reference = withoutNul(bankReference).trim();
  const short = characterCount(reference) > NAME_LENGTH ? `${firstCharacters(reference, NAME_LENGTH)}…` : reference;
  return `entry ${short}`;
}

/** YYYY-MM-DD that is a day of the calendar: a bank's 2026-02-30 would be refused by the date column. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The entries of one answer of a bank's API, fitted in place, each message naming its entry. A refusal of any
 * refuses the answer: the fetch fails once, naming them, rather than importing around a payment it cannot store.
 */
export function fitBankEntries(entries: readonly EntryValues[]): EntryFit {
  const fitted: EntryFit = { warnings: [], refusals: [] };
  entries.forEach((entry, i) => {
    const fit = fitEntry(entry);
    const name = entryName(entry.bankReference, `${i + 1} of the bank's answer`);
    fitted.warnings.push(...fit.warnings.map((warning) => `${name}: ${warning}`));
    if (fit.refusals.length > 0) fitted.refusals.push(`${name}: ${fit.refusals.join('; ')}`);
  });
  return fitted;
}
