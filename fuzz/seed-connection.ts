import { setTimeout as sleep } from 'node:timers/promises';
import { activationLinkJourney } from '../chaos/journeys';
import { Mailbox } from '../chaos/mailbox';
import { SANDBOX_ACCOUNTS } from '../sandbox/bank';
import { staffCall } from './staff-call';

export interface SeededConnection {
  connectionId: string;
  accountId: string;
}

const CLIENT_EMAIL = 'fuzz-client@bankkoppeling.test';
const KVK_NUMBER = '68750110';
const BANK_USER = 'ing-owner';
const LINK = /\/connect\/[A-Za-z0-9_-]{43}/;
const WAIT_MS = 120_000;

/**
 * A connection exists only once a client consented at the bank, and no operation's answer links to one: one
 * activation-link onboarding of the demo organization is taken through the client pages and the sandbox bank's
 * consent (the chaos run's client), so the operations on a connection are fuzzed on one that exists.
 */
export async function seedConnection(baseUrl: string, key: string, mailboxUrl: string): Promise<SeededConnection> {
  const authorization = `Bearer ${key}`;
  const json = { authorization, 'content-type': 'application/json' };
  const environments = (await staffCall(`${baseUrl}/api/environments`, { headers: { authorization } })) as {
    items: { id: string; kind: string }[];
  };
  const main = environments.items.find((environment) => environment.kind === 'main');
  if (!main) throw new Error('the demo organization has no main environment');
  await staffCall(`${baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      flavour: 'activation-link',
      environmentId: main.id,
      bank: 'INGB',
      client: { kvkNumber: KVK_NUMBER, email: CLIENT_EMAIL },
    }),
  });
  const mail = await new Mailbox(`${mailboxUrl}/api`).waitFor(CLIENT_EMAIL, (m) => LINK.test(m.text), WAIT_MS);
  if (!mail) throw new Error(`no activation e-mail within ${WAIT_MS / 1000} s`);
  const ibans = SANDBOX_ACCOUNTS.filter((account) => account.companyKey === 'ing-donald').map((a) => a.iban);
  const client = { apiUrl: baseUrl, username: BANK_USER, ibans, address: '127.0.0.1' };
  const outcome = await activationLinkJourney(client, `${baseUrl}${LINK.exec(mail.text)![0]}`);
  if (!outcome.consented) throw new Error(`the seeded onboarding was not consented: ${outcome.note}`);
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const list = (await staffCall(`${baseUrl}/api/connections`, { headers: { authorization } })) as {
      items: { id: string }[];
    };
    const connection = list.items[0];
    if (connection) {
      const detail = (await staffCall(`${baseUrl}/api/connections/${connection.id}`, {
        headers: { authorization },
      })) as {
        accounts: { id: string }[];
      };
      if (detail.accounts[0]) return { connectionId: connection.id, accountId: detail.accounts[0].id };
    }
    await sleep(1_000);
  }
  throw new Error(`no connection ${WAIT_MS / 1000} s after the consent`);
}
