import { entryName, fitEntry, type EntryValues } from '../../domain/fit-entry';
import { characterCount, firstCharacters, TRANSACTION_FIELD_LIMITS, withoutNul } from '../../domain/value-limits';

/** Issue 12: the rule that fits values from files and bank APIs to the database (domain/value-limits.ts). */

function entry(values: Partial<EntryValues> = {}): EntryValues {
  return {
    bookingDate: '2026-11-20',
    valueDate: '2026-11-20',
    currency: 'EUR',
    counterpartyIban: 'NL91ABNA0417164300',
    counterpartyName: 'Bakkerij Jansen',
    description: 'Factuur 118',
    endToEndId: 'E2E-118',
    bankReference: 'REF-118',
    bankTransactionCode: 'PMNT/RCDT/ESCT',
    ...values,
  };
}

test('the limits are the columns of bank_transaction; the bank reference leaves room for "bank:" in the dedupe key', () => {
  expect(TRANSACTION_FIELD_LIMITS.counterpartyName.max).toBe(140);
  expect(TRANSACTION_FIELD_LIMITS.bankTransactionCode.max).toBe(60);
  expect(TRANSACTION_FIELD_LIMITS.counterpartyIban.max).toBe(34);
  expect(TRANSACTION_FIELD_LIMITS.endToEndId.max).toBe(140);
  expect(TRANSACTION_FIELD_LIMITS.bankReference.max).toBe(115);
  expect(TRANSACTION_FIELD_LIMITS.description.max).toBeNull();
});

test('values that fit are left as they are', () => {
  const values = entry();
  expect(fitEntry(values)).toEqual({ warnings: [], refusals: [] });
  expect(values).toEqual(entry());
});

test('free text is shortened to its column, with a warning naming the field and both lengths', () => {
  const values = entry({ counterpartyName: 'N'.repeat(300), bankTransactionCode: 'C'.repeat(61) });
  expect(fitEntry(values)).toEqual({
    warnings: [
      'counterparty name of 300 characters shortened to 140',
      'bank transaction code of 61 characters shortened to 60',
    ],
    refusals: [],
  });
  expect(values.counterpartyName).toBe('N'.repeat(140));
  expect(values.bankTransactionCode).toBe('C'.repeat(60));
});

test('a description is never shortened: its column has no size', () => {
  const values = entry({ description: 'D'.repeat(100_000) });
  expect(fitEntry(values)).toEqual({ warnings: [], refusals: [] });
  expect(values.description).toHaveLength(100_000);
});

test('an identifier that cannot fit is refused, each one named, and left as it was', () => {
  const values = entry({
    counterpartyIban: 'NL'.padEnd(44, '1'),
    endToEndId: 'E'.repeat(141),
    bankReference: 'R'.repeat(116),
    currency: 'EURO',
  });
  expect(fitEntry(values).refusals).toEqual([
    'counterparty IBAN of 44 characters refused: at most 34 fit',
    'end-to-end id of 141 characters refused: at most 140 fit',
    'bank reference of 116 characters refused: at most 115 fit',
    'currency of 4 characters refused: at most 3 fit',
  ]);
  expect(values.bankReference).toBe('R'.repeat(116));
});

test('a bank reference of exactly 115 characters fits: its dedupe key is exactly 120', () => {
  expect(fitEntry(entry({ bankReference: 'R'.repeat(115) })).refusals).toEqual([]);
});

test('NUL is removed from every text, before lengths are measured', () => {
  const values = entry({
    counterpartyName: `Jansen\u0000 BV`,
    description: '\u0000Factuur\u0000 118\u0000',
    bankReference: `${'R'.repeat(115)}\u0000`,
    endToEndId: 'E2E\u0000-1',
  });
  expect(fitEntry(values)).toEqual({ warnings: [], refusals: [] });
  expect(values).toMatchObject({
    counterpartyName: 'Jansen BV',
    description: 'Factuur 118',
    bankReference: 'R'.repeat(115),
    endToEndId: 'E2E-1',
  });
});

test('lengths are characters as PostgreSQL counts them: an emoji is one, and a cut never splits it', () => {
  const name = '😀'.repeat(140);
  expect(name.length).toBe(280);
  expect(characterCount(name)).toBe(140);
  expect(fitEntry(entry({ counterpartyName: name })).warnings).toEqual([]);
  const longer = entry({ counterpartyName: `${name}😀` });
  expect(fitEntry(longer).warnings).toEqual(['counterparty name of 141 characters shortened to 140']);
  expect(longer.counterpartyName).toBe(name);
  expect(firstCharacters('a😀b', 2)).toBe('a😀');
});

test('a date the calendar does not have is refused, as the date column would', () => {
  expect(fitEntry(entry({ bookingDate: '2026-02-30', valueDate: '2026-13-01' })).refusals).toEqual([
    'booking date "2026-02-30" is not a date',
    'value date "2026-13-01" is not a date',
  ]);
  expect(fitEntry(entry({ bookingDate: '2028-02-29' })).refusals).toEqual([]);
});

test('an entry is named by its reference, the start of a long one, or by where it is', () => {
  expect(entryName('REF-1', 'at line 3')).toBe('entry REF-1');
  expect(entryName('R'.repeat(200), 'at line 3')).toBe(`entry ${'R'.repeat(40)}…`);
  expect(entryName(null, '3 of the page')).toBe('entry 3 of the page');
  expect(withoutNul('a\u0000b')).toBe('ab');
});
