import { Onboarding } from '../../db/entities';
import { createTenant, type Tenant } from '../support/api-fixture';
import { eventually } from '../support/eventually';
import { decodedHistory, historyJson } from '../support/history';
import { linkMailedTo } from '../support/mail';
import { startOnboardingThroughApi } from '../support/onboarding';
import { consentAtBank } from '../support/sandbox-consent';
import { csrfCookie, hiddenField, postForm, setCookie } from '../support/visitor';
import { startWorld, type World } from '../support/world';
import { stateQuery } from '../../workflows/onboarding/contract';

/**
 * Issue 12: personal data (IBANs, names, e-mail addresses, KvK numbers) sat readable in workflow histories. A full
 * onboarding runs through the staff API, the client pages and the sandbox bank with the product's payload codec;
 * then the histories as the Temporal server stores them hold none of it in clear, outside the search attributes
 * (readable by design, README "Personal data in Temporal"), while the product's client still reads everything.
 */
const IBAN = 'NL69INGB0123456789';
const EMAIL = 'eigenaar@donald.test';
const KVK = '68750110';
const COMPANY = 'Test BV Donald';
const MANAGER = 'Anna de Vries';

let world: World;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld({ seed: 7 });
  office = await createTenant(world.db.orm, 'Administratiekantoor Versleuteld');
});

afterAll(async () => {
  await world?.stop();
});

test('no IBAN, name, e-mail address or KvK number in clear in any history; the product client decodes them', async () => {
  const { id: onboardingId, workflowId } = await startOnboardingThroughApi(world, office, EMAIL);
  const link = await linkMailedTo(world, EMAIL);
  await eventually(async () => (await onboardingRow(onboardingId)).status === 'waiting_for_consent' || undefined);
  const page = await fetch(link);
  const koppelen = await postForm(link, { csrf: hiddenField(await page.text(), 'csrf') }, csrfCookie(page));
  const callback = await consentAtBank(new URL(koppelen.headers.get('location')!), 'ing-owner', [IBAN]);
  const cookies = `${setCookie(koppelen, 'bk_return')}; ${setCookie(koppelen, 'bk_consent')}`;
  expect((await fetch(callback, { headers: { cookie: cookies } })).status).toBe(200);
  await eventually(async () => {
    const row = await onboardingRow(onboardingId);
    return ['waiting_for_first_transaction', 'active'].includes(row.status) || undefined;
  }, 60_000);
  // The first fetch is the onboarding's child: started once the consent is stored, finished soon after.
  const firstFetch = `${workflowId}:fetch-first`;
  const fetched = await eventually(() =>
    world.env.client.workflow
      .getHandle(firstFetch)
      .result()
      .catch((error: Error) => (error.name === 'WorkflowNotFoundError' ? undefined : Promise.reject(error))),
  );

  // Every workflow of the run, as the server stores it and as the product's codec reads it.
  const { raw, decoded } = await eventually(async () => {
    const raw = new Map<string, string>();
    const decoded = new Map<string, string>();
    for await (const execution of world.env.client.workflow.list()) {
      const history = await world.env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      raw.set(execution.workflowId, withoutSearchAttributes(historyJson(history)));
      decoded.set(execution.workflowId, historyJson(await decodedHistory(history)));
    }
    return raw.has(workflowId) && raw.has(firstFetch) ? { raw, decoded } : undefined;
  });
  expect([...raw.keys()].sort()).toEqual([workflowId, firstFetch].sort());

  // The personal data is there for the product: the decoded histories carry it, so the search below means something.
  // (E-mail addresses and the account manager's name never enter a history: activities read them from the database.)
  const carried = { IBAN, KVK, COMPANY };
  const allDecoded = searchable([...decoded.values()].join('\n'));
  for (const [name, value] of Object.entries(carried)) expect([name, allDecoded.includes(value)]).toEqual([name, true]);
  const personal = { ...carried, EMAIL, MANAGER };

  const leaks: string[] = [];
  for (const [workflow, text] of raw) {
    const clear = searchable(text);
    for (const [name, value] of Object.entries(personal))
      if (clear.includes(value)) leaks.push(`${name} in ${workflow}`);
  }
  expect(leaks).toEqual([]);
  expect(searchable(raw.get(workflowId)!)).toContain('binary/encrypted');

  // The product's client reads the workflow's state and the fetch's result through the same codec.
  const state = await world.env.client.workflow.getHandle(workflowId).query(stateQuery);
  expect(state.connectionId).toBe((await onboardingRow(onboardingId)).connection!.id);
  expect(JSON.stringify(fetched)).toContain(IBAN);
});

function onboardingRow(id: string) {
  return world.db.orm.em.fork().findOneOrFail(Onboarding, { id });
}

/** By design in clear: what support filters on (KvkNumber, BankCode, ...), outside the payloads' reach. */
function withoutSearchAttributes(json: string): string {
  return JSON.stringify(JSON.parse(json), (key, value: unknown) => (key === 'searchAttributes' ? undefined : value));
}

/** The JSON plus the text of every base64 value in it: a payload's data is base64 and would hide a plain search. */
function searchable(json: string): string {
  const parts = [json];
  for (const match of json.matchAll(/"([A-Za-z0-9+/]{4,}={0,2})"/g))
    if (match[1]!.length % 4 === 0) parts.push(Buffer.from(match[1]!, 'base64').toString('utf8'));
  return parts.join('\n');
}
