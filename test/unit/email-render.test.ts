import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bankActivationTemplateProblems } from '../../templates/message-template';
import { emailTemplateSource, renderEmail, renderEmailSource } from '../../templates/render';

/**
 * The e-mails as the client's mail program shows them (issue 10 item 3): an HTML document with a plain-text part
 * beside it, every address a real link, one button for the main action, the contact's address where the text
 * says whom to contact, and the pages' words.
 */
const EMAILS_DIR = path.join(__dirname, '..', '..', 'templates', 'emails');
const LINK = '[[activationUrl]]';
const DATA = {
  companyName: 'Bakkerij Jansen & Zn',
  kvkNumber: '68750110',
  bankName: 'ING',
  officeName: "Kantoor 't Hart",
  deadline: '3 december 2026 om 14:00',
  accountManagerName: 'Anna de Vries',
  accountManagerEmail: 'anna@hart.test',
  contactEmail: 'anna@hart.test',
  clientEmail: 'eigenaar@jansen.test',
  onboardingId: 'ob-1',
  reason: 'role missing',
  roleRefused: true,
  activationUrl: LINK,
};
const SERIAL = {
  ...DATA,
  activationUrl: undefined,
  wizardUrl: 'http://localhost:3000/wizard?lang=en',
  serialNumber: '[[serialNumber]]',
};

test("the HTML part is a whole document in the e-mail's language, the text part beside it", () => {
  for (const language of ['nl', 'en'] as const) {
    const { html, text } = renderEmail('onboarding-activation', language, DATA, [LINK]);
    expect(html).toMatch(/^<!doctype html>\n<html lang="(nl|en)">/);
    expect(html).toContain(`<html lang="${language}">`);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/<title>[^<]+Bakkerij Jansen &amp; Zn[^<]+<\/title>/);
    expect(text).not.toMatch(/<|&amp;/);
    expect(text).toContain(`\n${LINK}\n`);
  }
});

test('the activation link is a button in the HTML part, with the address beneath it as a link too', () => {
  const nl = renderEmail('onboarding-activation', 'nl', DATA, [LINK]).html;
  expect(nl).toMatch(new RegExp(`<a href="${escape(LINK)}" style="[^"]+">Bankkoppeling activeren</a>`));
  expect(nl).toMatch(new RegExp(`<a href="${escape(LINK)}" style="[^"]+">${escape(LINK)}</a>`));
  for (const kind of ['reminder', 'consent-refused']) {
    expect(renderEmail(`onboarding-${kind}`, 'en', DATA, [LINK]).html).toContain('>Activate the bank connection</a>');
  }
  const serial = renderEmail('onboarding-serial', 'en', SERIAL, ['[[ignored]]']).html;
  expect(serial).toMatch(/<a href="http:\/\/localhost:3000\/wizard\?lang&#x3D;en" style="[^"]+">Open the wizard<\/a>/);
  expect(serial).not.toContain('<a href="[[serialNumber]]"');
});

test('every web and e-mail address is a real link; the contact\'s address stands where it says "contact"', () => {
  for (const [language, contact] of [
    ['nl', 'Neem contact op met'],
    ['en', 'Contact'],
  ] as const) {
    for (const name of ['activation', 'reminder', 'consent-refused', 'connected', 'first-transaction-tip', 'serial']) {
      const { text, html } = renderEmail(`onboarding-${name}`, language, name === 'serial' ? SERIAL : DATA, [LINK]);
      expect([name, text]).toEqual([name, expect.stringContaining(`${contact} Anna de Vries`)]);
      expect([name, text]).toEqual([name, expect.stringContaining('(anna@hart.test).')]);
      const mailto = /<a href="mailto:anna@hart.test" style="[^"]+">anna@hart.test<\/a>/;
      expect([name, html]).toEqual([name, expect.stringMatching(mailto)]);
      const bareAddress = html.replace(/<a [^>]+>[^<]*<\/a>/g, '').replace(/<head>[\s\S]*<\/head>/, '');
      expect([name, bareAddress]).toEqual([name, expect.not.stringMatching(/https?:\/\/|@|\[\[activationUrl/)]);
    }
  }
  const withoutManager = { ...DATA, accountManagerName: '', contactEmail: 'info@hart.test' };
  const office = renderEmail('onboarding-activation', 'nl', withoutManager);
  expect(office.text).toContain("Vragen? Neem contact op met Kantoor 't Hart (info@hart.test).");
});

test("R-A6: an organization's own message sits in the same HTML document, its link a button or a link", () => {
  const source = {
    subject: 'Koppel {{companyName}}',
    body: 'Beste klant,\n\nOpen:\n{{activationUrl}}\n\nOf lees https://kantoor.test/uitleg. Mail {{contactEmail}}.',
  };
  expect(bankActivationTemplateProblems(source)).toEqual([]);
  const { html, text } = renderEmailSource('onboarding-activation', 'nl', source, DATA, [LINK]);
  expect(text).toBe(`Beste klant,\n\nOpen:\n${LINK}\n\nOf lees https://kantoor.test/uitleg. Mail anna@hart.test.\n`);
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(html).toMatch(new RegExp(`<a href="${escape(LINK)}" style="[^"]+">Bankkoppeling activeren</a>`));
  expect(html).toMatch(/Of lees <a href="https:\/\/kantoor.test\/uitleg" style="[^"]+">https:\/\/kantoor\.test/);
  const inlineSource = { ...source, body: 'Klik hier: {{activationUrl}}' };
  const inline = renderEmailSource('onboarding-activation', 'nl', inlineSource, DATA, [LINK]);
  expect(inline.html).toMatch(new RegExp(`Klik hier: <a href="${escape(LINK)}" style="[^"]+">${escape(LINK)}</a>`));
});

test("R-V6: the serial flavour's refusal speaks of the wizard, KvK number and serial number, not a link", () => {
  for (const language of ['nl', 'en'] as const) {
    const { text, html } = renderEmail('onboarding-serial-consent-refused', language, SERIAL);
    expect(text).toContain(language === 'nl' ? 'in de wizard' : 'in the wizard');
    expect(text).toContain(`${language === 'nl' ? 'Uw serienummer' : 'Your serial number'}:\n[[serialNumber]]`);
    expect(text).toContain(language === 'nl' ? 'uw KvK-nummer (68750110)' : 'your KvK number (68750110)');
    expect(text).toContain('http://localhost:3000/wizard?lang=en');
    expect(text).not.toMatch(/"Koppelen"|"Link"|\b(this|the|deze|de) link\b|activatielink|activation link/i);
    expect(html).toContain(language === 'nl' ? '>Wizard openen</a>' : '>Open the wizard</a>');
  }
});

test("a consent that ended: staff read the KvK number and the client's address, names as typed", () => {
  const data = {
    recipientName: 'team',
    companyName: 'Bakkerij Jansen & Zn',
    kvkNumber: '68750110',
    clientEmail: 'eigenaar@jansen.test',
    bankName: 'ING',
    consentStatusText: 'niet meer geldig',
    connectionId: 'c-1',
    reason: 'consent expired',
  };
  const { text, html } = renderEmail('consent-ended', 'nl', data);
  expect(text).toContain('De bankkoppeling van Bakkerij Jansen & Zn (KvK-nummer 68750110) met ING haalt');
  expect(text).toContain('Klant: eigenaar@jansen.test\nKoppeling: c-1');
  expect(html).toContain('<a href="mailto:eigenaar@jansen.test"');
  const english = renderEmail('consent-ended', 'en', data).text;
  expect(english).toContain('of Bakkerij Jansen & Zn (KvK number 68750110) with ING');
  // Both are optional: without them the notice still reads whole.
  const { kvkNumber: _kvk, clientEmail: _client, ...withoutThem } = data;
  const without = renderEmail('consent-ended', 'nl', withoutThem).text;
  expect(without).toContain('De bankkoppeling van Bakkerij Jansen & Zn met ING haalt');
});

test('the e-mails use the pages\' words for the KvK number: "KvK-nummer" in Dutch, "KvK number" in English', () => {
  const files = readdirSync(EMAILS_DIR).filter((file) => file.endsWith('.hbs') && !file.startsWith('layout'));
  for (const file of files) {
    const source = readFileSync(path.join(EMAILS_DIR, file), 'utf8');
    const otherWords = file.includes('.en.') ? /Chamber of Commerce|KvK-nummer/ : /Chamber of Commerce|KvK number/;
    expect([file, source]).toEqual([file, expect.not.stringMatching(otherWords)]);
  }
  expect(emailTemplateSource('onboarding-activation', 'en').body).toContain('(KvK number {{{kvkNumber}}})');
  expect(emailTemplateSource('onboarding-serial', 'en').body).toContain('your KvK number ({{{kvkNumber}}})');
});

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
