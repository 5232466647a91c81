import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { normaliseDescription } from '../../domain/dedupe';
import { parseMt940 } from '../../domain/statements/mt940';
import { StatementParseError, type Statement, type StatementEntry } from '../../domain/statements/types';
import { statementParseError } from '../support/statements';

const FIXTURES = resolve(__dirname, '../../../shared/fixtures/bank-files/mt940');

/** A file as the bank writes it: one line per array element. */
function mt940(...lines: string[]): string {
  return lines.join('\n');
}

/** Hard-wraps text at 65 characters and pads every line to 65, as SNS and ASN do. */
function paddedSwiftLines(text: string): string[] {
  const lines: string[] = [];
  for (let start = 0; start < text.length; start += 65) lines.push(text.slice(start, start + 65).padEnd(65));
  return lines;
}

function parseError(text: string): StatementParseError {
  return statementParseError(() => parseMt940(text));
}

/** The chosen fields of each entry, so a test states only what it is about. */
function fields<K extends keyof StatementEntry>(
  entries: readonly StatementEntry[],
  ...keys: K[]
): Pick<StatementEntry, K>[] {
  return entries.map((entry) => Object.fromEntries(keys.map((key) => [key, entry[key]])) as Pick<StatementEntry, K>);
}

function onlyEntry(statement: Statement): StatementEntry {
  expect(statement.entries).toHaveLength(1);
  return statement.entries[0];
}

describe('parseMt940 against mt940-rs tag-level parses of real bank files', () => {
  /** mt940-rs's expected JSON: amounts as decimal strings with a separate indicator, ISO dates, raw :86: text. */
  interface ExpectedBalance {
    debit_credit_indicator: 'Credit' | 'Debit';
    date: string;
    iso_currency_code: string;
    amount: string;
  }
  interface ExpectedLine {
    value_date: string;
    entry_date: string | null;
    ext_debit_credit_indicator: 'Credit' | 'Debit' | 'ReverseCredit' | 'ReverseDebit';
    amount: string;
    transaction_type_ident_code: string | { NonStandard: string };
    bank_ref: string | null;
    customer_ref: string | null;
    supplementary_details: string | null;
    information_to_account_owner: string | GermanInformation | null;
  }
  interface GermanInformation {
    posting_text?: string;
    purpose?: string;
    additional_purpose?: string;
    applicant_iban?: string;
    applicant_name?: string;
  }
  interface ExpectedStatement {
    account_id: string;
    statement_no: string;
    sequence_no: string | null;
    opening_balance: ExpectedBalance;
    closing_balance: ExpectedBalance;
    statement_lines: ExpectedLine[];
  }

  const files = readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.sta') && !name.endsWith('.invalid.sta'))
    .filter((name) => readdirSync(FIXTURES).includes(name.replace(/\.sta$/, '.expected.json')));

  function cents(amount: string): number {
    const [whole, fraction = ''] = amount.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  }

  type Indicator = ExpectedBalance['debit_credit_indicator'] | ExpectedLine['ext_debit_credit_indicator'];

  function signedCents(amount: string, indicator: Indicator): number {
    // mt940-rs names the raw mark RC "ReverseDebit" (it is a debit entry, reversing a credit) and RD "ReverseCredit";
    // the balance chains of betterplace-sepa_mt9401.sta only close with RC taken as a debit.
    const debit = indicator === 'Debit' || indicator === 'ReverseDebit';
    return debit && cents(amount) !== 0 ? -cents(amount) : cents(amount);
  }

  /** Every word we extracted must occur in the bank's raw text once newlines (and so wrap points) are gone. */
  function expectWordsFrom(raw: string, extracted: string | null): void {
    const compactRaw = normaliseDescription(raw.replace(/\n/g, '')).replace(/ /g, '');
    for (const word of normaliseDescription(extracted ?? '')
      .split(' ')
      .filter(Boolean)) {
      expect(compactRaw).toContain(word);
    }
  }

  function balanceCents(balance: ExpectedBalance): number {
    return signedCents(balance.amount, balance.debit_credit_indicator);
  }

  function chainBreaks(expected: ExpectedStatement[]): number {
    let breaks = 0;
    expected.forEach((statement, i) => {
      const opening = balanceCents(statement.opening_balance);
      const previous = expected
        .slice(0, i)
        .filter((other) => other.account_id === statement.account_id)
        .at(-1);
      if (previous && balanceCents(previous.closing_balance) !== opening) breaks++;
      const total = statement.statement_lines.reduce(
        (sum, line) => sum + signedCents(line.amount, line.ext_debit_credit_indicator),
        opening,
      );
      if (total !== balanceCents(statement.closing_balance)) breaks++;
    });
    return breaks;
  }

  it('finds the fixture files', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  describe.each(files)('%s', (file) => {
    const parsed = parseMt940(readFileSync(join(FIXTURES, file), 'utf8'));
    const expectedFile = join(FIXTURES, file.replace(/\.sta$/, '.expected.json'));
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as ExpectedStatement[];

    it('has the same statements, accounts, numbers and balances', () => {
      expect(parsed.format).toBe('mt940');
      expect(parsed.statements).toHaveLength(expected.length);
      parsed.statements.forEach((statement, i) => {
        const want = expected[i];
        expect(statement.account).toBe(want.account_id.trim());
        expect(statement.statementId).toBe(want.statement_no);
        expect(statement.sequence).toBe(want.sequence_no);
        expect(statement.currency).toBe(want.opening_balance.iso_currency_code);
        expect(statement.openingBalance).toEqual({
          date: want.opening_balance.date,
          amountCents: balanceCents(want.opening_balance),
        });
        expect(statement.closingBalance).toEqual({
          date: want.closing_balance.date,
          amountCents: balanceCents(want.closing_balance),
        });
      });
    });

    it('has the same entries: signed amounts, dates, transaction types and bank references', () => {
      parsed.statements.forEach((statement, i) => {
        const lines = expected[i].statement_lines;
        expect(statement.entries).toHaveLength(lines.length);
        statement.entries.forEach((entry, j) => {
          const want = lines[j];
          const type = want.transaction_type_ident_code;
          expect(entry.amountCents).toBe(signedCents(want.amount, want.ext_debit_credit_indicator));
          expect(entry.currency).toBe(statement.currency);
          expect(entry.valueDate).toBe(want.value_date);
          expect(entry.bookingDate).toBe(want.entry_date ?? want.value_date);
          expect(entry.bankTransactionCode?.slice(1)).toBe(typeof type === 'string' ? type : type.NonStandard);
          expect(entry.bankReference).toBe(want.bank_ref);
          if (entry.bankReference === null) expect(entry.dedupeKey).toMatch(/^fp:[0-9a-f]{32}:\d+$/);
          else expect(entry.dedupeKey).toBe(`bank:${entry.bankReference}`);
        });
      });
    });

    it('takes description, counterparty and end-to-end id from the :86: text', () => {
      parsed.statements.forEach((statement, i) => {
        statement.entries.forEach((entry, j) => {
          const line = expected[i].statement_lines[j];
          const info = line.information_to_account_owner;
          if (info === null || typeof info === 'string') {
            const raw = [info, line.supplementary_details, line.customer_ref].join('\n');
            for (const extracted of [
              entry.description,
              entry.counterpartyName,
              entry.counterpartyIban,
              entry.endToEndId,
            ]) {
              expectWordsFrom(raw, extracted);
            }
          } else {
            expectWordsFrom([info.purpose, info.additional_purpose, info.posting_text].join('\n'), entry.description);
            expect(entry.counterpartyIban).toBe(info.applicant_iban ?? null);
            expect(entry.counterpartyName?.replace(/ /g, '') ?? null).toBe(
              info.applicant_name?.replace(/ /g, '') ?? null,
            );
          }
        });
      });
    });

    it('warns exactly where a balance chain breaks', () => {
      expect(parsed.warnings).toHaveLength(chainBreaks(expected));
    });
  });

  it('reads Knab REK:/NAAM: counterparties', () => {
    const [, second] = parseMt940(readFileSync(join(FIXTURES, 'jejik-knab.sta'), 'utf8')).statements;
    expect(fields(second.entries, 'counterpartyIban', 'counterpartyName', 'description')).toEqual([
      {
        counterpartyIban: 'NL65INGB0123456789',
        counterpartyName: 'PICQER',
        description: 'FACTUUR 201403110, 201403113',
      },
      {
        counterpartyIban: 'NL84INGB0234561789',
        counterpartyName: 'MMS ONLINE NEDERLAND B.V.',
        description: '12160475 0050001631430920 ORDERID: 264267 MEDIA MARKT ONLINE NE',
      },
    ]);
  });

  it('reads the Rabobank counter-account from the :61: supplementary line, the name from /NAME/ wrapped inside a word', () => {
    const [first] = parseMt940(readFileSync(join(FIXTURES, 'jejik-rabobank-iban.sta'), 'utf8')).statements;
    expect(fields(first.entries, 'counterpartyIban', 'counterpartyName', 'description', 'endToEndId')).toEqual([
      {
        counterpartyIban: 'NL70ABNA0987654321',
        counterpartyName: 'CONTRA ACCOUNT HOLDER',
        description: '',
        endToEndId: '01-01-2013 12:00 0030000987654321',
      },
      {
        counterpartyIban: 'P001234567',
        counterpartyName: 'JOHN DOE',
        description: 'Reference 201301234',
        endToEndId: null,
      },
    ]);
  });

  it('reads the SNS counter-account and name and drops the padding lines', () => {
    const [first] = parseMt940(readFileSync(join(FIXTURES, 'jejik-sns.sta'), 'utf8')).statements;
    expect(first.entries[0]).toMatchObject({
      counterpartyIban: '0987654321',
      counterpartyName: 'marechal s',
      description: 'dit is een test',
    });
  });

  it('reads the old unstructured ING form: counter-account first, tab and lines joined', () => {
    const [statement] = parseMt940(readFileSync(join(FIXTURES, 'jejik-ing.sta'), 'utf8')).statements;
    expect(statement.entries[1]).toMatchObject({
      counterpartyIban: '0111111111',
      description: 'GPSEOUL SPOEDBETALING MPBZS1016000047 GPSEOUL',
    });
    expect(statement.entries[6].description).toBe(
      'Hr S Marechal ROSMALEN Hr S Marechal ROSMALEN Betaling transactiedatum: 22-07-2010',
    );
  });

  it('reads German ?NN subfields: SVWZ+ remittance, EREF+, ?31 IBAN and ?32/?33 name', () => {
    const statements = parseMt940(readFileSync(join(FIXTURES, 'betterplace-sepa_mt9401.sta'), 'utf8')).statements;
    const entry = statements.find((statement) => statement.account === '50880050/0194777100888')?.entries[0];
    expect(entry).toMatchObject({
      counterpartyIban: 'DE42100100100043921105',
      counterpartyName: 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx',
      endToEndId: 'EndToEndIdTFNR2000400001',
      bankReference: '0724710290621954',
    });
    expect(entry?.description).toMatch(/^TO 13 TFNr 20004 Eingangskanal Mint /);
  });
});

describe('invalid files', () => {
  const invalid = readdirSync(FIXTURES).filter((name) => name.endsWith('.invalid.sta'));
  /** Where each broken file breaks, found by reading it. */
  const brokenAt: Record<string, number> = {
    'betterplace-sepa_snippet_broken.invalid.sta': 6,
    'jejik-knab_broken.invalid.sta': 17,
  };

  it('finds the invalid fixtures', () => {
    expect(invalid.sort()).toEqual(Object.keys(brokenAt).sort());
  });

  it.each(invalid)('rejects %s naming the line', (file) => {
    const error = parseError(readFileSync(join(FIXTURES, file), 'utf8'));
    expect(error.line).toBe(brokenAt[file]);
    expect(error.message).toMatch(new RegExp(`^line ${brokenAt[file]}: `));
  });
});

describe('dialects without a fixture', () => {
  it('reads structured ING in a SWIFT wrapper with CRLF: /CNTP/, /EREF/, /REMI/USTD/ wrapped as /REM + I/, /STRD/', () => {
    const file = [
      '{1:F01INGBNL2ABXXX0000000000}{2:I940INGBNL2AXXXN}{4:',
      ':20:P240201000000001',
      ':25:NL69INGB0123456789EUR',
      ':28C:00001',
      ':60F:C240131EUR1000,00',
      ':61:2402010201D125,00NDDTEREF//00000000000101',
      '/TRCD/01016/',
      ':86:/EREF/INV-2024-0117//MARF/MANDAAT-42//CSID/NL98ZZZ999999990000//',
      'CNTP/NL44RABO0123456789/RABONL2U/Energiebedrijf Oost B.V.///REM',
      'I/USTD//Voorschot februari 2024 klantnummer 8877665544/',
      ':61:2402010201C300,00NTRFEREF//00000000000102',
      '/TRCD/00100/',
      ':86:/EREF/NOTPROVIDED//CNTP/NL91ABNA0417164300/ABNANL2A/J. de Vries//',
      '/REMI/STRD/CUR/1234567890123456/',
      ':62F:C240201EUR1175,00',
      ':64:C240201EUR1175,00',
      ':86:/SUM/1/1/125,00/300,00/',
      '-}',
      '',
      '',
    ].join('\r\n');
    const { statements, warnings } = parseMt940(file);
    expect(warnings).toEqual([]);
    const [statement] = statements;
    expect(statement).toMatchObject({
      account: 'NL69INGB0123456789',
      currency: 'EUR',
      statementId: '00001',
      sequence: null,
    });
    expect(statement.entries).toEqual([
      {
        bookingDate: '2024-02-01',
        valueDate: '2024-02-01',
        amountCents: -12500,
        currency: 'EUR',
        counterpartyIban: 'NL44RABO0123456789',
        counterpartyName: 'Energiebedrijf Oost B.V.',
        description: 'Voorschot februari 2024 klantnummer 8877665544',
        endToEndId: 'INV-2024-0117',
        bankReference: '00000000000101',
        bankTransactionCode: 'NDDT',
        dedupeKey: 'bank:00000000000101',
      },
      {
        bookingDate: '2024-02-01',
        valueDate: '2024-02-01',
        amountCents: 30000,
        currency: 'EUR',
        counterpartyIban: 'NL91ABNA0417164300',
        counterpartyName: 'J. de Vries',
        description: '1234567890123456',
        endToEndId: null,
        bankReference: '00000000000102',
        bankTransactionCode: 'NTRF',
        dedupeKey: 'bank:00000000000102',
      },
    ]);
  });

  it('reads Triodos >NN subfields, with and without the SEPA BIC/IBAN pair, joining 27-character pieces', () => {
    const { statements } = parseMt940(
      mt940(
        ':20:1700000000001/1',
        ':25:TRIODOSBANK/0390123456',
        ':28:1',
        ':60F:C240301EUR500,00',
        ':61:240301D42,50NET NONREF',
        ':86:000>100000000000',
        '>20RABONL2U',
        '>21NL44RABO0123456789',
        '>22BROODBAKKERIJ DE GOUDEN KOR>23ENAAR AMSTERDAM FACTUUR 17',
        '>310390123456',
        ':61:240301C10,00NOV NONREF',
        ':86:000>100123456789',
        '>20J. JANSEN TERUGBETALING LEN>21ING',
        '>310390123456',
        ':62F:C240301EUR467,50',
        '-',
      ),
    );
    const [statement] = statements;
    expect(statement).toMatchObject({ account: 'TRIODOSBANK/0390123456', statementId: '1', sequence: null });
    expect(
      fields(
        statement.entries,
        'amountCents',
        'counterpartyIban',
        'counterpartyName',
        'description',
        'bankTransactionCode',
      ),
    ).toEqual([
      {
        amountCents: -4250,
        counterpartyIban: 'NL44RABO0123456789',
        counterpartyName: null,
        description: 'BROODBAKKERIJ DE GOUDEN KORENAAR AMSTERDAM FACTUUR 17',
        bankTransactionCode: 'NET',
      },
      {
        amountCents: 1000,
        counterpartyIban: '0123456789',
        counterpartyName: null,
        description: 'J. JANSEN TERUGBETALING LENING',
        bankTransactionCode: 'NOV',
      },
    ]);
  });

  it('reads German ?NN subfields wrapped at 65 characters even inside a subfield code', () => {
    const { statements } = parseMt940(
      mt940(
        ':20:STARTUMSE',
        ':25:37040044/0532013000',
        ':28C:00001/001',
        ':60F:C240102EUR1000,00',
        ':61:2401020102DR150,00NDDTKREF+//9912345678',
        ':86:105?00SEPA-BASISLASTSCHRIFT?100599?20EREF+RG2024-0042?21MREF+M-7',
        '78899?22CRED+DE98ZZZ09999999999?23SVWZ+Rechnung 2024-0042 Str?2',
        '4om Januar?30COBADEFFXXX?31DE89370400440532013000?32Stadtwerke Mus',
        'terstadt Ener?33gie GmbH',
        ':62F:C240102EUR850,00',
        '-',
      ),
    );
    expect(onlyEntry(statements[0])).toMatchObject({
      amountCents: -15000,
      counterpartyIban: 'DE89370400440532013000',
      counterpartyName: 'Stadtwerke Musterstadt Energie GmbH',
      description: 'Rechnung 2024-0042 Strom Januar',
      endToEndId: 'RG2024-0042',
      bankReference: '9912345678',
      bankTransactionCode: 'NDDT',
    });
    expect(statements[0]).toMatchObject({ account: '37040044/0532013000', statementId: '00001', sequence: '001' });
  });

  it('reads bunq: header lines, :28:, /IBAN/ /NAME/ /REMI/ and an empty remittance', () => {
    const { statements, warnings } = parseMt940(
      mt940(
        'BUNQNL2A',
        '940',
        'BUNQNL2A',
        ':20:BUNQ BV',
        ':25:NL12BUNQ2025000001 EUR',
        ':28:00001',
        ':60F:C240105EUR100,00',
        ':61:2401050105D12,50NTRFNONREF',
        ':86:/IBAN/NL91ABNA0417164300/NAME/Bakker Groen/REMI/Lunch 5 januari',
        ':61:2401050105D3,1NMSCNONREF',
        ':86:/NAME/Koffiebar De Boon/REMI/Koffiebar De Boon Utrecht, NL',
        ':61:2401050105C20,NTRFNONREF',
        ':86:/IBAN/NL02ABNA0123456789/NAME/P. de Vries/REMI/',
        ':62F:C240105EUR104,40',
        '-',
      ),
    );
    expect(warnings).toEqual([]);
    expect(statements[0].account).toBe('NL12BUNQ2025000001');
    expect(fields(statements[0].entries, 'amountCents', 'counterpartyIban', 'counterpartyName', 'description')).toEqual(
      [
        {
          amountCents: -1250,
          counterpartyIban: 'NL91ABNA0417164300',
          counterpartyName: 'Bakker Groen',
          description: 'Lunch 5 januari',
        },
        {
          amountCents: -310,
          counterpartyIban: null,
          counterpartyName: 'Koffiebar De Boon',
          description: 'Koffiebar De Boon Utrecht, NL',
        },
        { amountCents: 2000, counterpartyIban: 'NL02ABNA0123456789', counterpartyName: 'P. de Vries', description: '' },
      ],
    );
  });

  it('reads old Rabobank files: padded reference holding the account, name after it, repeated :86:, decimal point', () => {
    const { statements, warnings } = parseMt940(
      mt940(
        ':940:',
        ':20:940A240110',
        ':25:3456.78.901EUR',
        ':28:00000/00',
        ':60F:C240109EUR000000001000.00',
        ':61:240110C000000000250.00NMSC123456789       J. DE VRIES',
        ':86:FACTUUR 2024-003',
        ':61:240110D000000000099.95NMSCP1234567        KPN B.V.',
        ':86:ABONNEMENT JANUARI',
        ':86:KLANTNUMMER 556677',
        ':62F:C240110EUR000000001150.05',
        ':940:',
        ':20:940A240110',
        ':25:3456.78.901USD',
        ':28:00000/00',
        ':60F:C240109USD000000000020.00',
        ':62F:C240110USD000000000020.00',
      ),
    );
    expect(warnings).toEqual([]);
    expect(
      statements.map(({ account, currency, statementId, sequence }) => ({ account, currency, statementId, sequence })),
    ).toEqual([
      { account: '3456.78.901', currency: 'EUR', statementId: '00000', sequence: '00' },
      { account: '3456.78.901', currency: 'USD', statementId: '00000', sequence: '00' },
    ]);
    expect(fields(statements[0].entries, 'amountCents', 'counterpartyIban', 'counterpartyName', 'description')).toEqual(
      [
        {
          amountCents: 25000,
          counterpartyIban: '123456789',
          counterpartyName: 'J. DE VRIES',
          description: 'FACTUUR 2024-003',
        },
        {
          amountCents: -9995,
          counterpartyIban: 'P1234567',
          counterpartyName: 'KPN B.V.',
          description: 'ABONNEMENT JANUARI KLANTNUMMER 556677',
        },
      ],
    );
  });

  it('reads structured Rabobank: /ORDP//NAME/ before /ULTD//NAME/, a slash in /EREF/, an empty /REMI/ first', () => {
    const { statements } = parseMt940(
      mt940(
        ':940:',
        ':20:940S240305',
        ':25:NL68RABO0123456789 EUR',
        ':28C:24065',
        ':60F:C240304EUR000000000100,00',
        ':61:240305C000000000025,00N541EREF',
        'NL20INGB0001234567',
        ':86:/EREF/ORDER 2024/0042/ORDP//NAME/Mw. A. de Wit/ADDR/Dorpsstraat 1 1234',
        'AB ERGENS NL/REMI//REMI/Bijdrage maart/ISDT/2024-03-05/ULTD//NAME/Fam. de Wit',
        ':62F:C240305EUR000000000125,00',
      ),
    );
    expect(statements[0].account).toBe('NL68RABO0123456789');
    expect(onlyEntry(statements[0])).toMatchObject({
      counterpartyIban: 'NL20INGB0001234567',
      counterpartyName: 'Mw. A. de Wit',
      description: 'Bijdrage maart',
      endToEndId: 'ORDER 2024/0042',
      bankTransactionCode: 'N541',
    });
  });

  it('reads ASN/SNS: account and name line, then structured text on lines padded to 65', () => {
    const { statements } = parseMt940(
      mt940(
        '{1:F01ASNBNL21XXXX0000000000}{2:O940ASNBNL21XXXXN}{3:}{4:',
        ':20:0000000000',
        ':25:NL53ASNB0123456789',
        ':28C:12/1',
        ':60F:C240301EUR500,00',
        ':61:2403010301D61,80NINCNL44ABNA0548041814',
        'energie noord bv',
        ':86:NL44ABNA0548041814 energie noord bv',
        ' '.repeat(65),
        ...paddedSwiftLines(
          '/TRTP/Europese Incasso/CSID/NL36ZZZ340698640000/NAME/ENERGIE NOORD BV/MARF/EN-123' +
            '/REMI/Termijn maart 2024/IBAN/NL44ABNA0548041814/BIC/ABNANL2A/EREF/EN-2024-03-777',
        ),
        ':62F:C240301EUR438,20',
        '-}{5:}',
      ),
    );
    expect(onlyEntry(statements[0])).toMatchObject({
      counterpartyIban: 'NL44ABNA0548041814',
      counterpartyName: 'ENERGIE NOORD BV',
      description: 'Termijn maart 2024',
      endToEndId: 'EN-2024-03-777',
      bankTransactionCode: 'NINC',
    });
  });

  it("reads ABN AMRO's labelled SEPA text, whose column lines fill 65 characters, and its /TRTP/ structured form", () => {
    const { statements } = parseMt940(
      mt940(
        'ABNANL2A',
        '940',
        'ABNANL2A',
        ':20:ABN AMRO BANK NV',
        ':25:417164300',
        ':28:15001/1',
        ':60F:C140201EUR1000,00',
        ':61:1402030203D45,00N658NONREF',
        ':86:SEPA OVERBOEKING                 IBAN: NL20INGB0001234567',
        'BIC: INGBNL2A                    NAAM: STICHTING VOORBEELD ARNHEM',
        'OMSCHRIJVING: DONATIE FEBRUARI',
        'KENMERK: 2014-02-03-0001',
        ':61:1402030203C10,5N654NONREF',
        ':86:/TRTP/SEPA OVERBOEKING/IBAN/NL57INGB0001212121/BIC/INGBNL2A/NAME/',
        'CAFE DE HOEK/REMI/TERUGBETALING BON 4412/EREF/NOTPROVIDED',
        ':62F:C140203EUR965,50',
        '-',
      ),
    );
    expect(fields(statements[0].entries, 'counterpartyIban', 'counterpartyName', 'description', 'endToEndId')).toEqual([
      {
        counterpartyIban: 'NL20INGB0001234567',
        counterpartyName: 'STICHTING VOORBEELD ARNHEM',
        description: 'DONATIE FEBRUARI',
        endToEndId: '2014-02-03-0001',
      },
      {
        counterpartyIban: 'NL57INGB0001212121',
        counterpartyName: 'CAFE DE HOEK',
        description: 'TERUGBETALING BON 4412',
        endToEndId: null,
      },
    ]);
  });
});

describe('statement structure', () => {
  const coffee = [
    ':61:2401150115D2,50NTRFNONREF',
    ':86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/NAME/KOFFIEBAR/REMI/KOFFIE/EREF/NOTPROVIDED',
  ];

  it('reads a multi-page statement (:60M:/:62M:) and keeps identical payments on both pages apart', () => {
    const { statements, warnings } = parseMt940(
      mt940(
        ':20:STMT',
        ':25:NL91ABNA0417164300',
        ':28C:00042/1',
        ':60F:C240115EUR100,00',
        ...coffee,
        ...coffee,
        ':62M:C240115EUR95,00',
        '-',
        ':20:STMT',
        ':25:NL91ABNA0417164300',
        ':28C:00042/2',
        ':60M:C240115EUR95,00',
        ...coffee,
        ':62F:C240115EUR92,50',
        '-',
      ),
    );
    expect(warnings).toEqual([]);
    expect(statements.map(({ statementId, sequence }) => `${statementId}/${sequence}`)).toEqual(['00042/1', '00042/2']);
    expect(statements.map(({ openingBalance, closingBalance }) => [openingBalance, closingBalance])).toEqual([
      [
        { date: '2024-01-15', amountCents: 10000 },
        { date: '2024-01-15', amountCents: 9500 },
      ],
      [
        { date: '2024-01-15', amountCents: 9500 },
        { date: '2024-01-15', amountCents: 9250 },
      ],
    ]);
    const keys = statements.flatMap((statement) => statement.entries.map((entry) => entry.dedupeKey));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(keys.map((key) => key.split(':')[2])).toEqual(['0', '1', '2']);
    expect(new Set(keys.map((key) => key.split(':')[1])).size).toBe(1);
  });

  it('derives the year of the entry date from the value date across the year end', () => {
    const { statements } = parseMt940(
      mt940(
        ':20:YEAREND',
        ':25:NL91ABNA0417164300',
        ':28C:1',
        ':60F:C111231EUR0,00',
        ':61:1112310102C10,00NTRFNONREF',
        ':61:1201021231D5,00NTRFNONREF',
        ':61:1202290301D1,00NTRFNONREF',
        ':62F:C120102EUR4,00',
      ),
    );
    expect(statements[0].entries.map(({ valueDate, bookingDate }) => ({ valueDate, bookingDate }))).toEqual([
      { valueDate: '2011-12-31', bookingDate: '2012-01-02' },
      { valueDate: '2012-01-02', bookingDate: '2011-12-31' },
      { valueDate: '2012-02-29', bookingDate: '2012-03-01' },
    ]);
  });

  it('signs reversals: RC (reversal of a credit) is a debit, RD (reversal of a debit) a credit', () => {
    const { statements, warnings } = parseMt940(
      mt940(
        ':20:REVERSALS',
        ':25:NL91ABNA0417164300',
        ':28C:1',
        ':60F:C240201EUR100,00',
        ':61:2402010201RC25,00NRTINONREF',
        ':61:2402010201RD7,50NRTINONREF',
        ':61:2402010201RDR2,NRTINONREF',
        ':62F:C240201EUR84,50',
      ),
    );
    expect(warnings).toEqual([]);
    expect(statements[0].entries.map((entry) => entry.amountCents)).toEqual([-2500, 750, 200]);
  });

  it('gives two identical payments on one day distinct dedupe keys', () => {
    const { statements } = parseMt940(
      mt940(
        ':20:TWICE',
        ':25:NL91ABNA0417164300',
        ':28C:1',
        ':60F:C240115EUR10,00',
        ...coffee,
        ...coffee,
        ':62F:C240115EUR5,00',
      ),
    );
    const [first, second] = statements[0].entries;
    expect(first.dedupeKey).toMatch(/^fp:[0-9a-f]{32}:0$/);
    expect(second.dedupeKey).toBe(first.dedupeKey.replace(/:0$/, ':1'));
  });

  it('warns, naming the line, when a balance chain does not close', () => {
    const { statements, warnings } = parseMt940(
      mt940(
        ':20:FIRST',
        ':25:NL91ABNA0417164300',
        ':28C:1',
        ':60F:C240115EUR10,00',
        ...coffee,
        ':62F:C240115EUR8,00',
        '-',
        ':20:SECOND',
        ':25:NL91ABNA0417164300',
        ':28C:2',
        ':60F:C240116EUR9,00',
        ':62F:C240116EUR9,00',
        '-',
      ),
    );
    expect(statements).toHaveLength(2);
    expect(warnings).toEqual([
      {
        line: 7,
        message:
          'closing balance EUR 8.00 of NL91ABNA0417164300 in statement 1 (line 1) differs from opening balance ' +
          'plus entries, EUR 7.50, by EUR 0.50',
      },
      {
        line: 12,
        message:
          "opening balance EUR 9.00 of NL91ABNA0417164300 does not continue the previous statement's closing balance EUR 8.00",
      },
    ]);
  });

  it('warns when the bank reuses its reference within an account, since the dedupe key would merge the entries', () => {
    const { warnings } = parseMt940(
      mt940(
        ':20:REUSED',
        ':25:NL91ABNA0417164300',
        ':28C:1',
        ':60F:C240115EUR0,00',
        ':61:2401150115C1,00NTRFNONREF//ABC123',
        ':61:2401150115C2,00NTRFNONREF//ABC123',
        ':62F:C240115EUR3,00',
      ),
    );
    expect(warnings).toEqual([
      {
        line: 6,
        message:
          'bank reference ABC123 of NL91ABNA0417164300 was already used at line 5; both entries get the same dedupe key',
      },
    ]);
  });

  it('reads a zero-decimal currency exactly', () => {
    const { statements } = parseMt940(
      mt940(
        ':20:JPY',
        ':25:1700.59.308JPY',
        ':28:00000/00',
        ':60F:C030108JPY00000000000010.',
        ':61:030109D00000000348000,NMSCNONREF',
        ':62F:D030109JPY00000000347990,',
      ),
    );
    expect(statements[0]).toMatchObject({
      account: '1700.59.308',
      currency: 'JPY',
      closingBalance: { date: '2003-01-09', amountCents: -347990 },
    });
    expect(statements[0].entries[0].amountCents).toBe(-348000);
  });
});

describe('errors name the line', () => {
  const head = [':20:ERR', ':25:NL91ABNA0417164300', ':28C:1'];

  const opening = ':60F:C240115EUR10,00';
  const closing = ':62F:C240115EUR10,00';

  it.each([
    [
      'a garbled amount on a statement line',
      [opening, ':61:2401150115D12;50NTRFNONREF', closing],
      5,
      /unreadable amount "12;50"/,
    ],
    [
      'an amount without decimal comma',
      [opening, ':61:2401150115D1250NTRFNONREF', closing],
      5,
      /unreadable amount "1250"/,
    ],
    ['a garbled opening balance', [':60F:C240115EURABC', closing], 4, /unreadable amount "ABC"/],
    ['too many decimals for the currency', [':60F:C240115EUR10,001', closing], 4, /more than 2 decimals/],
    ['an impossible date', [':60F:C240231EUR10,00', closing], 4, /invalid date "240231"/],
    ['a statement line that is not one', [opening, ':61:garbage', closing], 5, /unreadable statement line/],
    ['a missing transaction type', [opening, ':61:2401150115D1,00', closing], 5, /no transaction type/],
    [
      'a missing opening balance',
      [':61:2401150115D1,00NTRFNONREF', closing],
      4,
      /:61: cannot follow the :28C: statement number/,
    ],
    [
      'a missing opening balance before the next statement',
      [':20:NEXT', opening, closing],
      4,
      /the statement that starts at line 1 ends before its opening balance/,
    ],
    ['an unknown tag', [opening, ':99:what', closing], 5, /unknown tag :99:/],
    ['a garbled tag', [opening, ':6l:2401150115D1,00NTRFNONREF', closing], 5, /unknown tag :6l:/],
    ['text where a tag is required', [opening, 'stray text', closing], 5, /unexpected text "stray text"/],
    ['a closing balance in another currency', [opening, ':62F:C240115USD10,00'], 5, /closing balance is in USD/],
  ])('%s', (_name, lines, line, message) => {
    const error = parseError(mt940(...head, ...lines));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    expect(error.message).toMatch(message);
  });

  it('rejects a statement that does not start with :20:', () => {
    const error = parseError(mt940(':25:NL91ABNA0417164300', ':28C:1'));
    expect(error.line).toBe(1);
    expect(error.message).toBe('line 1: unexpected :25: outside a statement, which starts with :20:');
  });

  it('quotes at most 60 characters of a garbled line', () => {
    const error = parseError(mt940(...head, `:60F:C240115EUR${'9'.repeat(100_000)},00`, closing));
    expect(error.message).toBe(
      `line 4: unreadable amount "${'9'.repeat(60)}..." (an MT940 amount has up to 15 characters with a decimal comma: "1234,56")`,
    );
  });

  it('rejects a file without any statement', () => {
    expect(() => parseMt940('Datum,Bedrag\n2024-01-15,10.00\n')).toThrow(
      new StatementParseError('no MT940 statement found: the file has no :20: line'),
    );
  });

  it('keeps a "-" line inside :86: text as text, not as the end of the message', () => {
    const { statements } = parseMt940(
      mt940(
        ...head,
        ':60F:C240115EUR10,00',
        ':61:2401150115D1,00NTRFNONREF',
        ':86:/EREF/X1/REMI/Periode 01-01 t/m 31-01 -',
        '-',
        ':62F:C240115EUR9,00',
        '-',
      ),
    );
    expect(onlyEntry(statements[0]).description).toBe('Periode 01-01 t/m 31-01 --');
  });
});
