import { DEMO_IBAN } from '../db/demo-data';
import { staffCall } from './staff-call';

/** Ids of data the fuzz cannot make through the API's links, made before it starts. */
export interface SeededData {
  accountId: string;
  statementDate: string;
  transactionId: string;
}

/**
 * One day of the demo ING account as an MT940 file: a daily statement and its transactions exist only once a file
 * or a bank fetch brought them, and no operation's answer links to them, so without this the operations on a
 * statement and on a transaction would only ever answer 404.
 */
const STATEMENT_DATE = '2026-11-24';
const MT940 = [
  ':940:',
  ':20:940S261124',
  `:25:${DEMO_IBAN}`,
  ':28C:1',
  ':60F:C261123EUR000000001500,00',
  ':61:261124C000000002500,00N541EREF',
  'NL91ABNA0417164300',
  ':86:/EREF/SAL-2026-11/BENM//NAME/WERKGEVER BV/REMI/Salaris november/',
  ':61:261124D000000001250,00N541EREF',
  'NL02ABNA0123456789',
  ':86:/EREF/HUUR-2026-11/BENM//NAME/VASTGOED BV/REMI/Huur december/',
  ':62F:C261124EUR000000002750,00',
].join('\r\n');

export async function seedStatement(baseUrl: string, key: string): Promise<SeededData> {
  const authorization = `Bearer ${key}`;
  const accounts = (await staffCall(`${baseUrl}/api/bank-accounts`, { headers: { authorization } })) as {
    items: { id: string; iban: string | null }[];
  };
  const account = accounts.items.find((item) => item.iban === DEMO_IBAN);
  if (!account) throw new Error(`the demo organization has no account ${DEMO_IBAN}`);
  const form = new FormData();
  form.append('file', new Blob([MT940], { type: 'text/plain' }), 'demo.sta');
  await staffCall(`${baseUrl}/api/bank-accounts/${account.id}/statement-files`, {
    method: 'POST',
    headers: { authorization },
    body: form,
  });
  const statement = (await staffCall(`${baseUrl}/api/bank-accounts/${account.id}/statements/${STATEMENT_DATE}`, {
    headers: { authorization },
  })) as { transactions: { items: { id: string }[] } };
  const transaction = statement.transactions.items[0];
  if (!transaction) throw new Error('the seeded statement has no transactions');
  return { accountId: account.id, statementDate: STATEMENT_DATE, transactionId: transaction.id };
}
