import { createActivities } from '../../activities';
import { Organization } from '../../db/entities';
import { createTenant, type Tenant } from '../support/api-fixture';
import { eventually } from '../support/eventually';
import { decodeQuotedPrintable } from '../support/mail';
import { startWorld, type World } from '../support/world';

/**
 * The onboarding e-mails as sent (issue 10 item 3), through the real API, worker, outbox and SMTP: a text part
 * and an HTML document side by side, the link a real link and a button carrying the client's language, the
 * account manager's or office's address where the text says whom to contact, and the serial flavour's refusal
 * that sends the client back to the wizard with the serial number.
 */
let world: World;
let office: Tenant;

beforeAll(async () => {
  world = await startWorld();
  office = await createTenant(world.db.orm, 'Administratiekantoor De Boekhouder');
  const staffEmail = 'team@boekhouder.test';
  await world.db.orm.em.fork().nativeUpdate(Organization, { id: office.organizationId }, { staffEmail });
});

afterAll(async () => {
  await world?.stop();
});

interface SentMail {
  headers: string;
  text: string;
  html: string;
}

/** The captured message's parts, each decoded: nodemailer sends text and HTML as multipart/alternative. */
function parts(raw: string): SentMail {
  const boundary = /boundary="?([^"\r\n;]+)"?/.exec(raw)?.[1];
  if (!boundary) throw new Error(`not a multipart message:\n${raw}`);
  const [headers = '', ...rest] = raw.split(`--${boundary}`);
  const part = (type: string) => {
    const found = rest.find((p) => new RegExp(`^\\s*Content-Type: ${type}; charset=utf-8`, 'im').test(p));
    if (!found) throw new Error(`no ${type} part in:\n${raw}`);
    return decodeQuotedPrintable(found.slice(found.search(/\r?\n\r?\n/)).trim()).replace(/\r\n/g, '\n');
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

async function mailTo(address: string, count = 1): Promise<SentMail> {
  const raw = await eventually(() => world.smtp.messages.filter((m) => m.to.includes(address))[count - 1]?.raw);
  return parts(raw);
}

async function start(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${world.baseUrl}/api/onboardings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${office.keys.staff}`, 'content-type': 'application/json' },
    body: JSON.stringify({ environmentId: office.mainEnvironmentId, bank: 'INGB', ...body }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

test("activation e-mail: text part and HTML document, the link a button in the client's language", async () => {
  await start({
    flavour: 'activation-link',
    language: 'en',
    client: { kvkNumber: '68750110', email: 'owner@donald.test' },
    accountManager: { name: 'Anna de Vries', email: 'anna@boekhouder.test' },
  });
  const mail = await mailTo('owner@donald.test');
  expect(mail.headers).toMatch(/Content-Type: multipart\/alternative/i);
  const base = world.baseUrl.replace(/[.]/g, '\\.');
  const link = new RegExp(`${base}/connect/[A-Za-z0-9_-]{43}\\?lang=en`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no link with the language in:\n${mail.text}`);
  expect(mail.text).toContain('(KvK number 68750110)');
  const contact = 'Questions? Contact Anna de Vries at Administratiekantoor De Boekhouder (anna@boekhouder.test).';
  expect(mail.text).toContain(contact);

  expect(mail.html).toMatch(/^<!doctype html>\s*<html lang="en">/);
  expect(mail.html).toContain('<meta charset="utf-8">');
  expect(mail.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(mail.html).toContain(`<a href="${link}" style="`);
  expect(mail.html).toMatch(/>Activate the bank connection<\/a>/);
  expect(mail.html).toContain('<a href="mailto:anna@boekhouder.test"');

  // The page opens in the e-mail's language, whatever the browser prefers.
  const page = await fetch(link, { headers: { 'accept-language': 'nl' } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<html lang="en">');
});

test("R-V6: serial e-mails link to the wizard in the client's language; the refusal names the serial", async () => {
  const client = { kvkNumber: '68727720', email: 'owner@serial.test' };
  const id = await start({ flavour: 'serial', language: 'en', client });
  const first = await mailTo('owner@serial.test');
  const serial = /\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b/.exec(first.text)?.[0];
  expect(serial).toBeDefined();
  expect(first.text).toContain(`${world.baseUrl}/wizard?lang=en`);
  const button = `<a href="${world.baseUrl}/wizard\\?lang(=|&#x3D;)en" style="[^"]+">Open the wizard</a>`;
  expect(first.html).toMatch(new RegExp(button));
  // Without an account manager, the office is the contact.
  expect(first.text).toContain('Questions? Contact Administratiekantoor De Boekhouder (team@boekhouder.test).');

  // The refusal the workflow sends when the bank refuses the consent (R-A3), sent here directly.
  const reason = 'the user has no role Owner or AdministratorPlus';
  const refusal = { onboardingId: id, kind: 'consent-refused' as const, linkId: null, sequence: 1, reason };
  await createActivities(world.deps).sendOnboardingEmail(refusal);
  const refused = await mailTo('owner@serial.test', 2);
  expect(refused.text).toContain('in the wizard');
  expect(refused.text).toContain(`Your serial number:\n${serial}`);
  expect(refused.text).toContain('your KvK number (68727720)');
  expect(refused.text).toContain(`${world.baseUrl}/wizard?lang=en`);
  expect(refused.text).not.toMatch(/"Link"|"Koppelen"|\/connect\/|activation link|\b(this|the) link\b/i);
  expect(refused.html).toMatch(/>Open the wizard<\/a>/);
});
