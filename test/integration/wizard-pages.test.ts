import { SerialNumber } from '../../db/entities';
import { eventually } from '../support/eventually';
import { decodeQuotedPrintable } from '../support/mail';
import { createTenant, type Tenant } from '../support/api-fixture';
import { startWorld, type World } from '../support/world';

/**
 * The wizard's pages over plain HTTP (issue 7 item 3; R-V3, R-V7, R-V9): headers, the KvK fill-in, and every way the
 * Details step refuses; the browser test walks the happy path. Real worker, PostgreSQL, sandbox KvK and SMTP sink.
 */
let world: World;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld({ seed: 31 });
  office = await createTenant(world.db.orm, 'Administratiekantoor Wizardpagina', { payments: true });
});

afterAll(async () => {
  await world?.stop();
});

const SERIAL = /\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b/;

/** A browser without a browser: keeps cookies, never follows redirects. */
class Visitor {
  private readonly cookies = new Map<string, string>();

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(await fetch(`${world.baseUrl}${path}`, { headers: { ...headers, cookie: this.cookieHeader() }, redirect: 'manual' }));
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.keep(await fetch(`${world.baseUrl}${path}`, { method: 'POST', body: new URLSearchParams(fields), headers: { cookie: this.cookieHeader() }, redirect: 'manual' }));
  }

  /** The page's CSRF field, read from the form as a browser would submit it. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.get(path)).text();
    const match = /name="csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error(`no CSRF field on ${path}`);
    return match[1];
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: Response): Response {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  }
}

/** One open onboarding per client and bank (R-A9): each test has a KvK test company of its own. */
async function startSerial(email: string, kvkNumber: string): Promise<{ id: string; serial: string }> {
  const answer = await fetch(`${world.baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({ flavour: 'serial', environmentId: office.mainEnvironmentId, bank: 'INGB', client: { kvkNumber, email } }),
  });
  expect(answer.status).toBe(201);
  const { id } = (await answer.json()) as { id: string };
  const serial = await eventually(() => {
    const mail = world.smtp.messages.find((m) => m.to.includes(email));
    return mail ? SERIAL.exec(decodeQuotedPrintable(mail.raw))?.[0] : undefined;
  });
  return { id, serial };
}

function details(csrf: string, serial: string, kvkNumber: string, extra: Record<string, string> = {}): Record<string, string> {
  return { csrf, kvkNumber, serial, product: 'bookkeeping', bank: 'INGB', insideBusiness: 'no', acceptTerms: 'yes', acceptPrivacy: 'yes', action: 'next', ...extra };
}

/** The text of the message next to a field, or null. */
function fieldError(html: string, field: string): string | null {
  return new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)?.[1]?.replace(/&#x27;/g, "'") ?? null;
}

test('client-page headers on every step; scripts only where the page has one, from its own nonce', async () => {
  const visitor = new Visitor();
  const start = await visitor.get('/wizard');
  expect(start.status).toBe(200);
  expect(start.headers.get('cache-control')).toBe('no-store');
  expect(start.headers.get('referrer-policy')).toBe('no-referrer');
  expect(start.headers.get('content-security-policy')).not.toContain('script-src');
  const detailsPage = await visitor.get('/wizard/details');
  const csp = detailsPage.headers.get('content-security-policy') ?? '';
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeDefined();
  expect(csp).toContain("form-action 'self'");
  expect(await detailsPage.text()).toContain(`<script nonce="${nonce}"`);
});

test('R-V3: the KvK fill-in answers the company name, and says so when a number is unknown or malformed', async () => {
  const visitor = new Visitor();
  const found = await visitor.get('/wizard/kvk?number=68750110');
  expect(found.status).toBe(200);
  expect(await found.json()).toEqual({ kvkNumber: '68750110', companyName: 'Test BV Donald' });
  expect((await visitor.get('/wizard/kvk?number=90004973')).status).toBe(404);
  expect(await (await visitor.get('/wizard/kvk?number=1234')).json()).toEqual({ error: 'kvk-format' });
});

test('R-V7, R-V9: a wrong KvK number is named next to its field with the tries left; the fifth locks the serial number and the sixth try is refused even with the right one', async () => {
  const { id, serial } = await startSerial('slot@donald.test', '68750110');
  const visitor = new Visitor();
  const csrf = await visitor.csrf('/wizard/details');

  // "Look up" without JavaScript only fills the name in: nothing is counted.
  const lookup = await visitor.post('/wizard/details', details(csrf, serial, '69599084', { action: 'lookup' }));
  expect(lookup.status).toBe(200);
  expect(await lookup.text()).toContain('Test EMZ Dagobert');

  const left: (string | null)[] = [];
  // Five different wrong numbers: the same one sent again is not counted again.
  for (const wrong of ['69599084', '68727720', '69599068', '69599076', '55344526']) {
    const refused = await visitor.post('/wizard/details', details(csrf, serial, wrong));
    expect(refused.status).toBe(422);
    left.push(fieldError(await refused.text(), 'kvkNumber'));
  }
  expect(left).toEqual([
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 4 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 3 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 2 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 1 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. Het serienummer is nu geblokkeerd; vraag uw administratiekantoor om een nieuw serienummer.',
  ]);
  const sixth = await visitor.post('/wizard/details', details(csrf, serial, '68750110'));
  expect(sixth.status).toBe(422);
  expect(fieldError(await sixth.text(), 'serial')).toBe('Dit serienummer is geblokkeerd na vijf verkeerde pogingen. Vraag uw administratiekantoor om een nieuw serienummer.');
  expect((await world.db.orm.em.fork().findOneOrFail(SerialNumber, { onboarding: id, revokedAt: null })).failedAttempts).toBe(5);
  const detail = await fetch(`${world.baseUrl}/api/onboardings/${id}`, { headers: { authorization: `Bearer ${office.keys.support}` } });
  expect(await detail.json()).toMatchObject({ serialNumberLocked: true });
});

test('R-V9: every field is checked and named in the page\'s language; the bank must be the serial number\'s; nothing goes on without the terms', async () => {
  const { serial } = await startSerial('velden@example.test', '68727720');
  const visitor = new Visitor();
  const csrf = await visitor.csrf('/wizard/details?lang=en');
  const empty = await visitor.post('/wizard/details?lang=en', { csrf, kvkNumber: '123', serial: 'O0O0', product: 'nonsense', bank: 'XXXX', action: 'next' });
  expect(empty.status).toBe(422);
  const html = await empty.text();
  expect(fieldError(html, 'kvkNumber')).toBe('A Chamber of Commerce (KvK) number has 8 digits.');
  expect(fieldError(html, 'serial')).toBe('A serial number never contains 0, O, 1, I or L. Check what you copied.');
  expect(fieldError(html, 'product')).toBe('This field is required.');
  expect(fieldError(html, 'bank')).toBe('This field is required.');
  expect(fieldError(html, 'insideBusiness')).toBe('This field is required.');
  expect(fieldError(html, 'acceptTerms')).toBe('Accept the terms of service to continue.');
  expect(fieldError(html, 'acceptPrivacy')).toBe('Accept the privacy policy to continue.');

  const otherBank = await visitor.post('/wizard/details?lang=en', details(csrf, serial, '68727720', { bank: 'RABO' }));
  expect(otherBank.status).toBe(422);
  expect(fieldError(await otherBank.text(), 'bank')).toBe('This serial number is for a connection with ING. Choose ING, or ask for a serial number for the other bank.');

  const accepted = await visitor.post('/wizard/details?lang=en', details(csrf, serial, '68727720'));
  expect(accepted.status).toBe(303);
  expect(accepted.headers.get('location')).toBe('/wizard/connection?lang=en');
});

test('without a session, with a tampered one, or with a form from another page, a later step refuses and says where to begin', async () => {
  const { serial } = await startSerial('sessie@example.test', '69599068');
  const stranger = new Visitor();
  const noSession = await stranger.get('/wizard/connection');
  expect(noSession.status).toBe(400);
  expect(await noSession.text()).toContain('Begin bij stap 1');

  const visitor = new Visitor();
  const csrf = await visitor.csrf('/wizard/details');
  expect((await visitor.post('/wizard/details', details('x'.repeat(43), serial, '69599068'))).status).toBe(403);
  expect((await visitor.post('/wizard/details', details(csrf, serial, '69599068'))).status).toBe(303);
  // The Details form's field does not submit the Connection step.
  expect((await visitor.post('/wizard/connection', { csrf, name: 'Anna', email: 'anna@boekhouder.test' })).status).toBe(403);
  const connectionCsrf = await visitor.csrf('/wizard/connection');
  visitor.set('bk_wizard', 'tampered');
  expect((await visitor.post('/wizard/connection', { csrf: connectionCsrf, name: 'Anna', email: 'anna@boekhouder.test' })).status).toBe(400);
});
