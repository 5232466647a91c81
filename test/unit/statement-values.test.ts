import { parseStatementFile } from '../../bank-files/parse';
import { fingerprint } from '../../domain/dedupe';
import { fitBankEntries } from '../../domain/fit-entry';
import { parseMt940 } from '../../domain/statements/mt940';
import { StatementValueError } from '../../domain/statements/types';
import { statementParseError } from '../support/statements';

/*
 * Issue 12: the parse result (the CLI's `statements parse` JSON) carries the fitting rule's warnings in its
 * `warnings` array, and both channels fit the same payment to the same values, so their keys stay comparable.
 */

function mt940(information: string, reference = 'REF-1'): string {
  return [
    ':20:STMT1',
    ':25:NL69INGB0123456789',
    ':28C:1',
    ':60F:C261120EUR000000000000,00',
    `:61:261120C1,00NTRFNONREF//${reference}`,
    `:86:${information}`,
    ':62F:C261120EUR000000000001,00',
  ].join('\r\n');
}

test('an MT940 name too long for its column is shortened, the warning naming the :61: line', () => {
  const file = parseMt940(mt940(`/IBAN/NL91ABNA0417164300/NAME/${'N'.repeat(200)}/REMI/Factuur 1/`));
  expect(file.warnings).toEqual([{ line: 5, message: 'counterparty name of 200 characters shortened to 140' }]);
  expect(file.statements[0]?.entries[0]).toMatchObject({ counterpartyName: 'N'.repeat(140), dedupeKey: 'bank:REF-1' });
});

test('an MT940 bank reference longer than its dedupe key allows refuses the file, naming the line', () => {
  const error = statementParseError(() => parseMt940(mt940('/REMI/Factuur 1/', 'R'.repeat(116))));
  expect(error).toBeInstanceOf(StatementValueError);
  expect(error.line).toBe(5);
  expect(error.message).toBe('line 5: bank reference of 116 characters refused: at most 115 fit');
});

test('NUL in a file is removed before parsing, with one warning naming the line of the first', async () => {
  const file = await parseStatementFile(mt940('/REMI/Fact\u0000uur\u0000 1/'));
  expect(file.warnings).toEqual([{ line: 6, message: '2 NUL characters removed, the first on this line' }]);
  expect(file.statements[0]?.entries[0]?.description).toBe('Factuur 1');
});

test('a payment with NUL in its text gets the same fingerprint through the bank API as through a file', async () => {
  const fromFile = (await parseStatementFile(mt940('/IBAN/NL91ABNA0417164300/NAME/Jansen/REMI/Factuur 1/', '')))
    .statements[0]!.entries[0]!;
  const fromApi = {
    ...fromFile,
    description: 'Factuur\u0000 1',
    counterpartyName: 'Jan\u0000sen',
    bankReference: null,
  };
  expect(fitBankEntries([fromApi])).toEqual({ warnings: [], refusals: [] });
  expect(fingerprint(fromApi)).toBe(fingerprint(fromFile));
  expect(fromApi.counterpartyName).toBe('Jansen');
});
