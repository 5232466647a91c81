import { createBerlinGroupConnector } from '../../banks/berlin-group';
import type { BankSession } from '../../banks/connector';
import { BankRequestError } from '../../banks/errors';

/*
 * Issue 12: what a bank's API says about accounts and consents is fitted by the rule of domain/value-limits.ts
 * before it is stored. An account whose IBAN or id cannot be stored is not offered (and the log says why); a long
 * name is shortened; a consent whose id or dates cannot be stored is the bank's mistake (BankRequestError).
 */

const session: BankSession = { consentId: 'c-1', accessToken: 'secret-access-token-0123456789', unattended: true };

/** A connector whose bank answers every request with `body`. */
function answering(body: unknown) {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }),
  };
  const connector = createBerlinGroupConnector({
    bankCode: 'RABO',
    baseUrl: 'https://api.bank.test/psd2',
    clientId: 'x',
    log,
    fetch: async () =>
      new Response(JSON.stringify(body), { status: 201, headers: { 'Content-Type': 'application/json' } }),
  });
  return { connector, warnings };
}

test('an account whose IBAN or id cannot be stored is left out; a long name is shortened; NUL is removed', async () => {
  const { connector, warnings } = answering({
    accounts: [
      { resourceId: 'ok-1', iban: 'NL25RABO0312456781', currency: 'EUR', name: `Zakelijk\u0000 ${'N'.repeat(250)}` },
      { resourceId: 'long-iban', iban: `NL25RABO0312456781${'1'.repeat(26)}`, currency: 'EUR' },
      { resourceId: 'r'.repeat(201), iban: 'NL24RABO0312456799', currency: 'EUR' },
    ],
  });
  const accounts = await connector.listAccounts(session);
  expect(accounts.map((a) => a.resourceId)).toEqual(['ok-1']);
  expect(accounts[0]?.name).toBe(`Zakelijk ${'N'.repeat(191)}`);
  expect(warnings.map((w) => [w.message, w.fields.warnings ?? w.fields.refusals])).toEqual([
    ['consented account fitted', ['account name of 259 characters shortened to 200']],
    ['consented account left out: a value cannot be stored', ['IBAN of 44 characters refused: at most 34 fit']],
    [
      'consented account left out: a value cannot be stored',
      ["bank's account id of 201 characters refused: at most 200 fit"],
    ],
  ]);
});

test('a consent id that cannot be stored, or a date the calendar lacks, refuses the consent', async () => {
  const created = answering({ consentId: 'c'.repeat(201), consentStatus: 'received' }).connector;
  const creation = created.createConsent({ validUntil: '2026-12-31', frequencyPerDay: 4, recurringIndicator: true });
  await expect(creation).rejects.toThrow(
    new BankRequestError(
      "the bank's consent cannot be stored: bank's consent id of 201 characters refused: at most 200 fit",
      {
        bankCode: 'RABO',
      },
    ),
  );
  const read = answering({
    consentStatus: 'valid',
    validUntil: '2026-02-30',
    frequencyPerDay: 4,
    recurringIndicator: true,
  });
  await expect(read.connector.getConsent('c-1', session)).rejects.toBeInstanceOf(BankRequestError);
  await expect(read.connector.getConsent('c-1', session)).rejects.toThrow(/validUntil "2026-02-30" is not a date/);
});
