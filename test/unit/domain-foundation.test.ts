import { hashApiKey, looksLikeApiKey, mintApiKey, roleAllows } from '../../domain/api-key';
import { balanceChainBreaks } from '../../domain/balance-chain';
import { accountShapeProblem, connectabilityProblems } from '../../domain/bank-account';
import { assignDedupeKeys, fingerprint, normaliseDescription } from '../../domain/dedupe';
import { communicationEnvironmentId, environmentShapeProblem } from '../../domain/environment';
import { dutchBankCode, ibanCheckDigits, ibanProblem, isValidIban, normaliseIban } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import { decodeCursor, encodeCursor } from '../../api/pagination';
import { pgArray } from '../../db/pg-array';
import { loadConfig } from '../../bin/config';

describe('IBAN (mod-97)', () => {
  test.each([
    'NL91ABNA0417164300',
    'NL69INGB0123456789',
    'NL44RABO0123456789',
    'DE89370400440532013000',
    'BE68539007547034',
    'GB29NWBK60161331926819',
  ])('%s is valid', (iban) => {
    expect(isValidIban(iban)).toBe(true);
  });

  test('wrong check digits, wrong length, wrong shape are refused with the reason', () => {
    expect(ibanProblem('NL92ABNA0417164300')).toContain('mod-97');
    expect(ibanProblem('NL91ABNA041716430')).toContain('18');
    expect(ibanProblem('NL91AB1A0417164300')).toContain('Dutch IBAN');
    expect(ibanProblem('hello')).toContain('is not an IBAN');
  });

  test('normalises spaces and case; reads the Dutch bank code; mints check digits', () => {
    expect(normaliseIban(' nl91 abna 0417 1643 00 ')).toBe('NL91ABNA0417164300');
    expect(dutchBankCode('NL69INGB0123456789')).toBe('INGB');
    expect(dutchBankCode('DE89370400440532013000')).toBeNull();
    expect(ibanCheckDigits('NL', 'ABNA0417164300')).toBe('91');
  });
});

test('KvK numbers have 8 digits (R-V3)', () => {
  expect(kvkNumberProblem('68750110')).toBeNull();
  expect(kvkNumberProblem('6875011')).toBe('must be 8 digits');
  expect(kvkNumberProblem('6875011a')).toBe('must be 8 digits');
});

describe('API keys', () => {
  test('a minted key has the documented form, and only its hash is stored', () => {
    const minted = mintApiKey();
    expect(looksLikeApiKey(minted.key)).toBe(true);
    expect(minted.key.startsWith(`bk_${minted.prefix}_`)).toBe(true);
    expect(minted.secretHash).toBe(hashApiKey(minted.key));
    expect(minted.secretHash).not.toContain(minted.key.slice(12));
    expect(mintApiKey().key).not.toBe(minted.key);
  });

  test('roles: support reads only, staff writes, admin administers', () => {
    expect([roleAllows('support', 'read'), roleAllows('support', 'write'), roleAllows('support', 'admin')]).toEqual([
      true,
      false,
      false,
    ]);
    expect([roleAllows('staff', 'read'), roleAllows('staff', 'write'), roleAllows('staff', 'admin')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([roleAllows('admin', 'read'), roleAllows('admin', 'write'), roleAllows('admin', 'admin')]).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe('environments (R-A8)', () => {
  test('a main environment communicates itself; a sub through its main', () => {
    expect(communicationEnvironmentId({ id: 'main', kind: 'main', parentId: null })).toBe('main');
    expect(communicationEnvironmentId({ id: 'sub', kind: 'sub', parentId: 'main' })).toBe('main');
  });

  test('subs hang directly under a main', () => {
    expect(environmentShapeProblem('sub', null)).toContain('needs a parentId');
    expect(environmentShapeProblem('sub', { id: 's', kind: 'sub', parentId: 'm' })).toContain('must be a main');
    expect(environmentShapeProblem('main', { id: 'm', kind: 'main', parentId: null })).toContain('no parent');
    expect(environmentShapeProblem('sub', { id: 'm', kind: 'main', parentId: null })).toBeNull();
  });
});

describe('bank accounts (R-V1, R-A4)', () => {
  const base = { iban: 'NL69INGB0123456789', journalId: 'j', currency: 'EUR' };
  test('current and savings accounts with an IBAN and a journal are connectable', () => {
    expect(connectabilityProblems({ ...base, type: 'current' })).toEqual([]);
    expect(connectabilityProblems({ ...base, type: 'savings' })).toEqual([]);
  });
  test('a cash account never is; a savings account without its own IBAN is not; no journal is flagged', () => {
    expect(connectabilityProblems({ ...base, type: 'cash', iban: null })).toEqual([expect.stringContaining('R-V1')]);
    expect(connectabilityProblems({ ...base, type: 'savings', iban: null })).toEqual(
      expect.arrayContaining([expect.stringContaining('own IBAN')]),
    );
    expect(connectabilityProblems({ ...base, type: 'current', journalId: null })).toEqual([
      expect.stringContaining('R-A4'),
    ]);
  });
  test('shape: cash has no IBAN, the others need a valid one', () => {
    expect(accountShapeProblem({ type: 'cash', iban: 'NL69INGB0123456789' })).toEqual({
      field: 'iban',
      message: 'a cash account has no IBAN',
    });
    expect(accountShapeProblem({ type: 'current', iban: null })?.field).toBe('iban');
    expect(accountShapeProblem({ type: 'current', iban: 'NL69INGB0123456780' })?.message).toContain('mod-97');
  });
});

describe('dedupe keys', () => {
  const coffee = {
    bookingDate: '2026-11-20',
    valueDate: '2026-11-20',
    amountCents: -250,
    currency: 'EUR',
    counterpartyIban: null,
    endToEndId: null,
    description: 'Koffie',
    bankReference: null,
  };
  test('the bank id wins; identical entries without one get occurrence 0 and 1', () => {
    const keys = assignDedupeKeys([coffee, coffee, { ...coffee, bankReference: 'REF1' }]);
    expect(keys[0]).toMatch(/^fp:[0-9a-f]{32}:0$/);
    expect(keys[1]).toBe(keys[0]?.replace(/:0$/, ':1'));
    expect(keys[2]).toBe('bank:REF1');
  });
  test('the fingerprint ignores case, spacing and punctuation of the description, not the amount', () => {
    expect(normaliseDescription('  Factuur  2026-118 / Bakkerij ')).toBe('FACTUUR 2026 118 BAKKERIJ');
    expect(fingerprint({ ...coffee, description: 'koffie.' })).toBe(fingerprint(coffee));
    expect(fingerprint({ ...coffee, amountCents: -251 })).not.toBe(fingerprint(coffee));
  });
});

test('balance chain: breaks in opening vs previous closing and in opening + sum = closing are reported', () => {
  expect(
    balanceChainBreaks([
      { date: '2026-11-02', openingBalanceCents: 1000, closingBalanceCents: 1500, sumCents: 500 },
      { date: '2026-11-03', openingBalanceCents: 1500, closingBalanceCents: 1400, sumCents: -100 },
    ]),
  ).toEqual([]);
  const breaks = balanceChainBreaks([
    { date: '2026-11-03', openingBalanceCents: 1600, closingBalanceCents: 1400, sumCents: -100 },
    { date: '2026-11-02', openingBalanceCents: 1000, closingBalanceCents: 1500, sumCents: 500 },
  ]);
  expect(breaks).toEqual([
    { date: '2026-11-03', problem: 'opening balance 16.00 differs from the previous closing balance 15.00' },
    { date: '2026-11-03', problem: 'opening 16.00 + transactions -1.00 = 15.00, but the closing balance is 14.00' },
  ]);
});

test('cursors round-trip and garbage is a 400 naming cursor', () => {
  const cursor = encodeCursor({
    createdAt: new Date('2026-11-26T10:00:00Z'),
    id: '2fa23488-61ee-4db2-b37a-742f21506aba',
  });
  expect(decodeCursor(cursor)).toEqual({
    createdAt: new Date('2026-11-26T10:00:00Z'),
    id: '2fa23488-61ee-4db2-b37a-742f21506aba',
  });
  expect(() => decodeCursor('garbage')).toThrow(
    expect.objectContaining({ status: 400, errors: [{ field: 'cursor', message: expect.any(String) }] }),
  );
});

test('PostgreSQL array literals escape quotes and backslashes and keep nulls', () => {
  expect(pgArray(['a', 'b"c', 'd\\e', null, 5])).toBe('{"a","b\\"c","d\\\\e",NULL,"5"}');
});

describe('configuration', () => {
  test('defaults run the whole stack locally', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      databaseUrl: null,
      smtpUrl: 'smtp://127.0.0.1:1025',
    });
    expect(config.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'bank-connections',
      uiUrl: 'http://localhost:8233',
    });
  });
  test('bad values name the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('PORT must be a port number');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'ftp://x' })).toThrow('PUBLIC_BASE_URL must be an http(s) URL');
  });
});
