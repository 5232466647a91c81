import { parseMinorUnits } from '../../domain/statements/amount';
import { parseMt940 } from '../../domain/statements/mt940';
import { StatementParseError } from '../../domain/statements/types';
import { statementParseError } from '../support/statements';

/**
 * The MT940 parser reads by position where it used to match patterns, and takes shortcuts for the common case
 * (plain amounts, ascending bank references, text with single spaces). These tests hold the shortcuts to the
 * general rules at their edges.
 */

function mt940(...lines: string[]): string {
  return lines.join('\n');
}

/** parseMinorUnits as it was before its integer fast path: the reference for exactness and errors. */
function referenceMinorUnits(text: string, decimals: number, separator: '.' | ','): number {
  const match = (separator === '.' ? /^(\d*)(?:\.(\d*))?$/ : /^(\d*)(?:,(\d*))?$/).exec(text.trim());
  if (match === null || `${match[1]}${match[2] ?? ''}` === '') {
    throw new StatementParseError(
      `unreadable amount "${text}" (expected digits with "${separator}" as decimal separator)`,
    );
  }
  const [, whole, fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > decimals) {
    throw new StatementParseError(
      `amount "${text}" has more than ${decimals} decimals; it cannot be booked without rounding`,
    );
  }
  const minor = BigInt(`${whole || '0'}${fraction.slice(0, decimals).padEnd(decimals, '0')}`);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatementParseError(`amount "${text}" is too large`);
  return Number(minor);
}

function outcome(read: () => number): number | string {
  try {
    return read();
  } catch (error) {
    return error instanceof StatementParseError ? `error: ${error.message}` : `other: ${String(error)}`;
  }
}

function parseError(text: string): StatementParseError {
  return statementParseError(() => parseMt940(text));
}

describe('parseMinorUnits', () => {
  const edges = [
    '0',
    '0,',
    ',0',
    ',',
    '',
    ' ',
    '1',
    '1,',
    ',5',
    '00012,30',
    '12,3',
    '12,34',
    '12,345',
    '12,340',
    '12,3400',
    '999999999999999',
    '99999999999999,9',
    '9999999999999,99',
    '999999999999,999',
    '9007199254740,991',
    '90071992547409,91',
    '90071992547409,92',
    '1234567890123456',
    '1,2,3',
    '1.5',
    ' 1,5',
    '1,5 ',
    '1,5\t',
    '+1,5',
    '-1,5',
    '1e3',
    '١٢',
    '1 000,00',
    '0000000000000000000001,00',
    '1,00000000000000000000',
  ];
  // Amounts of every shape up to some 25 characters, from a fixed seed.
  let seed = 940;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const digits = (n: number) => Array.from({ length: n }, () => '0123456789'[random(10)]).join('');
  const generated = Array.from({ length: 3000 }, () => {
    const whole = random(4) === 0 ? '' : digits(random(17));
    const separator = random(5) === 0 ? '.' : ',';
    const fraction = random(3) === 0 ? '' : `${separator}${digits(random(6))}${'0'.repeat(random(3))}`;
    return `${whole}${fraction}`;
  });

  it.each([0, 2, 3, 4])('reads every amount as the exact BigInt reading does, with %i decimals', (decimals) => {
    const differences: unknown[] = [];
    for (const text of [...edges, ...generated]) {
      for (const separator of [',', '.'] as const) {
        const read = outcome(() => parseMinorUnits(text, decimals, separator));
        const expected = outcome(() => referenceMinorUnits(text, decimals, separator));
        if (read !== expected) differences.push({ text, separator, read, expected });
      }
    }
    expect(differences).toEqual([]);
  });
});

describe('MT940 read by position', () => {
  const head = [':20:FAST', ':25:NL91ABNA0417164300', ':28C:1'];

  it('reads CR, LF and CRLF line ends and a byte order mark, counting lines as before', () => {
    const lines = [
      ...head,
      ':60F:C240115EUR10,00',
      ':61:2401150115D1,00NTRFNONREF',
      ':99:garbled',
      ':62F:C240115EUR9,00',
    ];
    for (const [text, line] of [
      [`\uFEFF${lines.join('\r')}`, 6],
      [lines.join('\r\n'), 6],
      [lines.join('\n\n'), 11],
      [lines.join('\r\r\n'), 11],
    ] as const) {
      expect(parseError(text)).toMatchObject({ line, message: `line ${line}: unknown tag :99: in an MT940 statement` });
    }
  });

  it('takes a line holding U+2028 for text, not a tag', () => {
    const error = parseError(mt940(...head, ':60F:C240115EUR10,00\u2028', ':62F:C240115EUR10,00'));
    expect(error.message).toMatch(/^line 4: unexpected text ":60F:C240115EUR10,00"/);
  });

  it('reads the parts of a statement line: entry date, funds code, padded reference, NONREF in any case', () => {
    const { statements } = parseMt940(
      mt940(
        ...head,
        ':60F:C240115EUR100,00',
        ':61:2401150116RDR12,5NMSCnonref//  B1  ',
        ':61:240115D0,01NTRFABCDEFGHIJKLMNO PIETERSEN',
        ':61:2401151231C7,NTRFNONREF',
        ':62F:C240115EUR119,49',
      ),
    );
    expect(
      statements[0].entries.map(
        ({ bookingDate, amountCents, bankReference, bankTransactionCode, counterpartyName }) => ({
          bookingDate,
          amountCents,
          bankReference,
          bankTransactionCode,
          counterpartyName,
        }),
      ),
    ).toEqual([
      {
        bookingDate: '2024-01-16',
        amountCents: 1250,
        bankReference: 'B1',
        bankTransactionCode: 'NMSC',
        counterpartyName: null,
      },
      {
        bookingDate: '2024-01-15',
        amountCents: -1,
        bankReference: null,
        bankTransactionCode: 'NTRF',
        counterpartyName: 'PIETERSEN',
      },
      {
        bookingDate: '2023-12-31',
        amountCents: 700,
        bankReference: null,
        bankTransactionCode: 'NTRF',
        counterpartyName: null,
      },
    ]);
  });

  it('reads codewords wrapped anywhere, and collapses the whitespace of values with more than single spaces', () => {
    const text = '/EREF/E1//IBAN/NL44RABO0123456789//NAME/J.  de\tVries//REMI/USTD// Factuur  12//EREF/E2/';
    // Every place a bank could wrap the text.
    for (let cut = 1; cut < text.length; cut++) {
      const { statements } = parseMt940(
        mt940(
          ...head,
          ':60F:C240115EUR10,00',
          ':61:2401150115C1,00NTRFNONREF',
          `:86:${text.slice(0, cut)}`,
          text.slice(cut),
          ':62F:C240115EUR11,00',
        ),
      );
      expect([cut, statements[0].entries[0]]).toMatchObject([
        cut,
        {
          counterpartyIban: 'NL44RABO0123456789',
          counterpartyName: 'J. de Vries',
          description: 'Factuur 12',
          endToEndId: 'E1',
        },
      ]);
    }
  });

  it('warns about a reused bank reference wherever it was first used in the account, ascending or not', () => {
    const statement = (number: string, ...references: string[]) => [
      ':20:REFS',
      ':25:NL91ABNA0417164300',
      `:28C:${number}`,
      ':60F:C240115EUR0,00',
      ...references.map((reference) => `:61:2401150115C1,00NTRFNONREF//${reference}`),
      `:62F:C240115EUR${references.length},00`,
      '-',
    ];
    const { warnings } = parseMt940(
      mt940(...statement('1', 'R1', 'R2', 'R3'), ...statement('2', 'R5', 'R4', 'R2', 'R5'), ...statement('3', 'R3')),
    );
    const reused = (reference: string, first: number) =>
      `bank reference ${reference} of NL91ABNA0417164300 was already used at line ${first}; ` +
      'both entries get the same dedupe key';
    expect(warnings.filter(({ message }) => message.startsWith('bank reference'))).toEqual([
      { line: 16, message: reused('R2', 6) },
      { line: 17, message: reused('R5', 14) },
      { line: 24, message: reused('R3', 7) },
    ]);
  });
});
