import { createBerlinGroupConnector } from '../../banks/berlin-group';
import type { BankSession } from '../../banks/connector';

/*
 * Issue 12: a bank's account list is fitted by the rule of domain/value-limits.ts before profile sync stores it.
 * An account whose IBAN or id cannot be stored is not offered (and the log says why); a long name is shortened.
 */

const session: BankSession = { consentId: 'c-1', accessToken: 'secret-access-token-0123456789', unattended: true };

function listing(accounts: unknown[]) {
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
      new Response(JSON.stringify({ accounts }), { status: 200, headers: { 'Content-Type': 'application/json' } }),
  });
  return { list: () => connector.listAccounts(session), warnings };
}

test('an account whose IBAN or id cannot be stored is left out; a long name is shortened; NUL is removed', async () => {
  const { list, warnings } = listing([
    { resourceId: 'ok-1', iban: 'NL25RABO0312456781', currency: 'EUR', name: `Zakelijk\u0000 ${'N'.repeat(250)}` },
    { resourceId: 'long-iban', iban: `NL25RABO0312456781${'1'.repeat(26)}`, currency: 'EUR' },
    { resourceId: 'r'.repeat(201), iban: 'NL24RABO0312456799', currency: 'EUR' },
  ]);
  const accounts = await list();
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
