import { setTimeout as sleep } from 'node:timers/promises';
import { KVK_NUMBER } from './lanes';
import { consentAtBank } from './bank-consent';
import { hiddenField, Visitor } from './visitor';

/** How long a client keeps reloading a page that fails while something behind it restarts. */
const PATIENCE_MS = 5 * 60_000;
/** A client who comes back from the bank to an error page tries the bank again, up to this many times. */
const CONSENT_TRIES = 3;

export interface ClientOutcome {
  /** The bank's way back was accepted: the consent is with the product. */
  consented: boolean;
  /** What the client saw last, in words, for the report. */
  note: string;
}

export interface ClientContext {
  apiUrl: string;
  username: string;
  ibans: readonly string[];
  address: string;
}

/** The activation-link client: the e-mailed link, its button, the bank, and the page the bank sends them back to. */
export async function activationLinkJourney(ctx: ClientContext, link: string): Promise<ClientOutcome> {
  const browser = new Visitor(ctx.apiUrl, ctx.address);
  for (let attempt = 1; attempt <= CONSENT_TRIES; attempt += 1) {
    const toBank = await patiently(async () => {
      const page = await browser.get(link);
      if (page.status !== 200) return page;
      return browser.post(link, { csrf: hiddenField(await page.text(), 'csrf') });
    });
    if (toBank.status !== 303) return { consented: false, note: `the link's button answered ${toBank.status}` };
    const back = await consentAtBank(new URL(toBank.headers.get('location')!), ctx.username, ctx.ibans);
    const landed = await patiently(async () => (await browser.follow(back.toString())).response);
    if (landed.status === 200) return { consented: true, note: 'consented' };
    if (landed.status === 403) return { consented: false, note: 'refused as another browser (binding cookie lost)' };
    await sleep(3_000);
  }
  return { consented: false, note: `the bank's way back failed ${CONSENT_TRIES} times` };
}

/** The serial client: the wizard's steps (R-V9), the bank, then Accounts with every account's transactions (R-V12). */
export async function serialJourney(ctx: ClientContext, serial: string): Promise<ClientOutcome> {
  const browser = new Visitor(ctx.apiUrl, ctx.address);
  const steps: [string, Record<string, string>][] = [
    ['/wizard/details', { kvkNumber: KVK_NUMBER, serial, action: 'next' }],
    ['/wizard/terms', { insideBusiness: 'no', acceptTerms: 'yes', acceptPrivacy: 'yes' }],
    ['/wizard/connection', { name: 'Anna de Vries', email: 'anna@chaos.test' }],
  ];
  for (const [path, fields] of steps) {
    const posted = await patiently(() => postForm(browser, path, fields));
    if (posted.status !== 303) return { consented: false, note: `${path} answered ${posted.status}` };
  }
  for (let attempt = 1; attempt <= CONSENT_TRIES; attempt += 1) {
    const toBank = await patiently(() => postForm(browser, '/wizard/consent', {}));
    const bank = toBank.headers.get('location');
    if (toBank.status !== 303 || !bank?.startsWith('http'))
      return { consented: false, note: `the consent step answered ${toBank.status} to ${bank}` };
    const back = await consentAtBank(new URL(bank), ctx.username, ctx.ibans);
    const landed = await patiently(async () => (await browser.follow(back.toString())).response);
    if (landed.status === 403) return { consented: false, note: 'refused as another browser (binding cookie lost)' };
    if (landed.status === 200 && (await chooseAccounts(browser))) return { consented: true, note: 'consented' };
    await sleep(3_000);
  }
  return { consented: false, note: `the bank's way back failed ${CONSENT_TRIES} times` };
}

/** Accounts (through its wait page while the accounts are listed), every offered account with transactions. */
async function chooseAccounts(browser: Visitor): Promise<boolean> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    const { response, url } = await browser.follow('/wizard/accounts?lang=nl');
    if (url.pathname === '/wizard/done') return true;
    if (url.pathname !== '/wizard/accounts' || response.status >= 500) {
      await response.body?.cancel();
      if (url.pathname !== '/wizard/accounts') return false;
    } else {
      const html = await response.text();
      if (html.includes('name="csrf"')) {
        const offered = [...html.matchAll(/data-iban="([A-Z0-9]+)"/g)].map((m) => m[1]!);
        const chosen = await browser.post('/wizard/accounts?lang=nl', {
          csrf: hiddenField(html, 'csrf'),
          tx: offered,
        });
        if (chosen.status === 303 && chosen.headers.get('location')?.startsWith('/wizard/done')) return true;
      }
    }
    await sleep(2_000);
  }
  return false;
}

async function postForm(browser: Visitor, path: string, fields: Record<string, string>): Promise<Response> {
  const page = await browser.get(path);
  if (page.status !== 200) return page;
  return browser.post(path, { csrf: hiddenField(await page.text(), 'csrf'), ...fields });
}

/** Repeats a page visit while it fails with 5xx or no answer at all, as a client reloads. */
async function patiently(visit: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const response = await visit().catch((error: unknown) => {
      if (Date.now() > deadline) throw error;
      return null;
    });
    if (response && (response.status < 500 || Date.now() > deadline)) return response;
    await response?.body?.cancel();
    await sleep(3_000);
  }
}
