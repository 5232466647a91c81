import { Organization, SerialNumber } from '../../db/entities';
import { serialMailedTo } from '../support/mail';
import { createTenant, type Tenant } from '../support/api-fixture';
import { hiddenField, Visitor } from '../support/visitor';
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

/** One open onboarding per client and bank (R-A9): each test has a KvK test company of its own. */
async function startSerial(
  email: string,
  kvkNumber: string,
  bank = 'INGB',
  by: Tenant = office,
): Promise<{ id: string; serial: string }> {
  const answer = await fetch(`${world.baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${by.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      flavour: 'serial',
      environmentId: by.mainEnvironmentId,
      bank,
      client: { kvkNumber, email },
    }),
  });
  expect(answer.status).toBe(201);
  const { id } = (await answer.json()) as { id: string };
  const { serial } = await serialMailedTo(world, email);
  return { id, serial };
}

function details(
  csrf: string,
  serial: string,
  kvkNumber: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { csrf, kvkNumber, serial, action: 'next', ...extra };
}

/** The text of the message next to a field, or null. */
function fieldError(html: string, field: string): string | null {
  return (
    new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(html)?.[1]?.replace(/&#x27;/g, "'") ??
    null
  );
}

/** A form POST answers 303 to the page that shows its outcome; that page, as the browser then shows it. */
async function submit(
  visitor: Visitor,
  path: string,
  fields: Record<string, string>,
  expectedLocation: string,
): Promise<string> {
  const answer = await visitor.post(path, fields);
  expect([answer.status, answer.headers.get('location')]).toEqual([303, expectedLocation]);
  const page = await visitor.get(expectedLocation);
  expect(page.status).toBe(200);
  return page.text();
}

test('client-page headers on every step; scripts only where the page has one, from its own nonce', async () => {
  const visitor = new Visitor(world.baseUrl);
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
  const visitor = new Visitor(world.baseUrl);
  const found = await visitor.get('/wizard/kvk?number=68750110');
  expect(found.status).toBe(200);
  expect(await found.json()).toEqual({ kvkNumber: '68750110', companyName: 'Test BV Donald' });
  expect((await visitor.get('/wizard/kvk?number=90004973')).status).toBe(404);
  expect(await (await visitor.get('/wizard/kvk?number=1234')).json()).toEqual({ error: 'kvk-format' });
});

test('R-V7, R-V9: a wrong KvK number is named next to its field with the tries left, on a page a reload only shows again; the same wrong number twice counts once, five different ones lock the serial number', async () => {
  const { id, serial } = await startSerial('slot@donald.test', '68750110');
  const visitor = new Visitor(world.baseUrl);
  const csrf = await visitor.csrf('/wizard/details');
  const tries = async () =>
    (await world.db.orm.em.fork().findOneOrFail(SerialNumber, { onboarding: id, revokedAt: null })).failedAttempts;

  // "Look up" without JavaScript only fills the name in: nothing is counted.
  const lookup = await submit(
    visitor,
    '/wizard/details',
    details(csrf, serial, '69599084', { action: 'lookup' }),
    '/wizard/details?lang=nl',
  );
  expect(lookup).toContain('Test EMZ Dagobert');
  expect(await tries()).toBe(0);

  const first = await submit(visitor, '/wizard/details', details(csrf, serial, '69599084'), '/wizard/details?lang=nl');
  expect(fieldError(first, 'kvkNumber')).toBe(
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 4 keer proberen.',
  );
  // F5 on the page with the message: the same page, and nothing is sent again.
  const reloaded = await (await visitor.get('/wizard/details?lang=nl')).text();
  expect(fieldError(reloaded, 'kvkNumber')).toBe(
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 4 keer proberen.',
  );
  expect(reloaded).toContain('value="69599084"');
  // The same wrong number pressed again (a double click, a resubmitted form) does not spend another try.
  const again = await submit(visitor, '/wizard/details', details(csrf, serial, '69599084'), '/wizard/details?lang=nl');
  expect(fieldError(again, 'kvkNumber')).toBe(
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 4 keer proberen.',
  );
  expect(await tries()).toBe(1);

  const left: (string | null)[] = [];
  for (const wrong of ['68727720', '69599068', '69599076', '55344526']) {
    left.push(
      fieldError(
        await submit(visitor, '/wizard/details', details(csrf, serial, wrong), '/wizard/details?lang=nl'),
        'kvkNumber',
      ),
    );
  }
  expect(left).toEqual([
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 3 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 2 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 1 keer proberen.',
    'Dit KvK-nummer hoort niet bij dit serienummer. Het serienummer is nu geblokkeerd; vraag uw administratiekantoor om een nieuw serienummer.',
  ]);
  const sixth = await submit(visitor, '/wizard/details', details(csrf, serial, '68750110'), '/wizard/details?lang=nl');
  expect(fieldError(sixth, 'serial')).toBe(
    'Dit serienummer is geblokkeerd na vijf verkeerde pogingen. Vraag uw administratiekantoor om een nieuw serienummer.',
  );
  expect(await tries()).toBe(5);
  const detail = await fetch(`${world.baseUrl}/api/onboardings/${id}`, {
    headers: { authorization: `Bearer ${office.keys.support}` },
  });
  expect(await detail.json()).toMatchObject({ serialNumberLocked: true });
});

test("R-V9, R-V10: fields named in the page's language after a redirect; the bank comes from the serial number; ING is asked about InsideBusiness; terms and privacy statement linked; the Connection step says whose details it wants", async () => {
  const { serial } = await startSerial('velden@example.test', '68727720');
  const visitor = new Visitor(world.baseUrl);
  const csrf = await visitor.csrf('/wizard/details?lang=en');
  const first = await (await visitor.get('/wizard/details?lang=en')).text();
  // Asked only what the client can answer: no bank to pick, no product of the office's.
  expect(first).not.toMatch(/name="(bank|product|insideBusiness)"/);

  const empty = await submit(
    visitor,
    '/wizard/details?lang=en',
    { csrf, kvkNumber: '123', serial: 'O0O0', action: 'next' },
    '/wizard/details?lang=en',
  );
  expect(fieldError(empty, 'kvkNumber')).toBe('A KvK number has 8 digits.');
  expect(fieldError(empty, 'serial')).toBe('A serial number never contains 0, O, 1, I or L. Check what you copied.');

  const terms = await submit(
    visitor,
    '/wizard/details?lang=en',
    details(csrf, serial, '68727720'),
    '/wizard/terms?lang=en',
  );
  expect(terms).toContain('<dt>Bank</dt><dd>ING</dd>');
  expect(terms).toContain('<dt>Accounting office</dt><dd>Administratiekantoor Wizardpagina</dd>');
  expect(terms).toContain('Do you use ING InsideBusiness?');
  // The office has no terms of its own: ours, in the page's language.
  expect(terms).toContain('<a href="/terms?lang&#x3D;en" target="_blank" rel="noopener">terms of service</a>');
  expect(terms).toContain('<a href="/privacy?lang&#x3D;en" target="_blank" rel="noopener">privacy statement</a>');
  const ours = await visitor.get('/terms?lang=en');
  expect(ours.status).toBe(200);
  expect(await ours.text()).toContain('<h1>Terms of service</h1>');
  expect(await (await new Visitor(world.baseUrl).get('/privacy')).text()).toContain('<h1>Privacyverklaring</h1>');

  const termsCsrf = hiddenField(terms, 'csrf');
  const unanswered = await submit(visitor, '/wizard/terms?lang=en', { csrf: termsCsrf }, '/wizard/terms?lang=en');
  expect(fieldError(unanswered, 'insideBusiness')).toBe('This field is required.');
  expect(fieldError(unanswered, 'acceptTerms')).toBe('Accept the terms of service to continue.');
  expect(fieldError(unanswered, 'acceptPrivacy')).toBe('Accept the privacy statement to continue.');

  const connection = await submit(
    visitor,
    '/wizard/terms?lang=en',
    { csrf: termsCsrf, insideBusiness: 'no', acceptTerms: 'yes', acceptPrivacy: 'yes' },
    '/wizard/connection?lang=en',
  );
  expect(connection).toContain('your account manager at Administratiekantoor Wizardpagina');
  const connectionCsrf = hiddenField(connection, 'csrf');
  const badEmail = await submit(
    visitor,
    '/wizard/connection?lang=en',
    { csrf: connectionCsrf, name: 'Anna', email: 'anna@' },
    '/wizard/connection?lang=en',
  );
  expect(fieldError(badEmail, 'email')).toBe('Enter a valid e-mail address, for example name@company.com.');
  expect(badEmail).toContain('value="anna@"');
  const accepted = await visitor.post('/wizard/connection?lang=en', {
    csrf: connectionCsrf,
    name: 'Anna',
    email: 'anna@boekhouder.test',
  });
  expect([accepted.status, accepted.headers.get('location')]).toEqual([303, '/wizard/consent?lang=en']);
});

test('R-V9: a Rabobank serial number asks nothing about ING, and an office with terms and a privacy statement of its own links those', async () => {
  const own = await createTenant(world.db.orm, 'Administratiekantoor Eigen Voorwaarden');
  await world.db.orm.em.fork().nativeUpdate(
    Organization,
    { id: own.organizationId },
    {
      termsUrl: 'https://kantoor.example/voorwaarden',
      privacyUrl: 'https://kantoor.example/privacy',
    },
  );
  const { serial } = await startSerial('rabo@example.test', '69599076', 'RABO', own);
  const visitor = new Visitor(world.baseUrl);
  const csrf = await visitor.csrf('/wizard/details');
  const terms = await submit(visitor, '/wizard/details', details(csrf, serial, '69599076'), '/wizard/terms?lang=nl');
  expect(terms).toContain('<dt>Bank</dt><dd>Rabobank</dd>');
  expect(terms).not.toContain('InsideBusiness');
  expect(terms).toContain(
    '<a href="https://kantoor.example/voorwaarden" target="_blank" rel="noopener">algemene voorwaarden</a>',
  );
  expect(terms).toContain(
    '<a href="https://kantoor.example/privacy" target="_blank" rel="noopener">privacyverklaring</a>',
  );
  const termsCsrf = hiddenField(terms, 'csrf');
  const accepted = await visitor.post('/wizard/terms', { csrf: termsCsrf, acceptTerms: 'yes', acceptPrivacy: 'yes' });
  expect([accepted.status, accepted.headers.get('location')]).toEqual([303, '/wizard/connection?lang=nl']);
});

test('without a session, with a tampered one, or with a form from another page, a later step refuses and says where to begin', async () => {
  const { serial } = await startSerial('sessie@example.test', '69599068');
  const stranger = new Visitor(world.baseUrl);
  const noSession = await stranger.get('/wizard/connection');
  expect(noSession.status).toBe(400);
  expect(await noSession.text()).toContain('Begin bij stap 1');

  const visitor = new Visitor(world.baseUrl);
  const csrf = await visitor.csrf('/wizard/details');
  expect((await visitor.post('/wizard/details', details('x'.repeat(43), serial, '69599068'))).status).toBe(403);
  expect((await visitor.post('/wizard/details', details(csrf, serial, '69599068'))).status).toBe(303);
  // Terms not yet accepted: the Connection step sends the client back to them.
  expect((await visitor.get('/wizard/connection')).headers.get('location')).toBe('/wizard/terms?lang=nl');
  // The Details form's field does not submit the next step.
  expect(
    (await visitor.post('/wizard/terms', { csrf, acceptTerms: 'yes', acceptPrivacy: 'yes', insideBusiness: 'no' }))
      .status,
  ).toBe(403);
  const termsCsrf = await visitor.csrf('/wizard/terms');
  expect(
    (
      await visitor.post('/wizard/terms', {
        csrf: termsCsrf,
        acceptTerms: 'yes',
        acceptPrivacy: 'yes',
        insideBusiness: 'no',
      })
    ).status,
  ).toBe(303);
  expect(
    (await visitor.post('/wizard/connection', { csrf: termsCsrf, name: 'Anna', email: 'anna@boekhouder.test' })).status,
  ).toBe(403);
  const connectionCsrf = await visitor.csrf('/wizard/connection');
  visitor.set('bk_wizard', 'tampered');
  expect(
    (await visitor.post('/wizard/connection', { csrf: connectionCsrf, name: 'Anna', email: 'anna@boekhouder.test' }))
      .status,
  ).toBe(400);
});
