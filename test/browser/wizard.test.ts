import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { ConnectedAccount, Onboarding } from '../../db/entities';
import { callApi, createTenant, type Tenant } from '../support/api-fixture';
import { launchChromium, narrowScreenWidth, watchForProblems } from '../support/browser';
import { eventually } from '../support/eventually';
import { serialMailedTo } from '../support/mail';
import { startWorld, type World } from '../support/world';

/**
 * The serial-number wizard through a real browser (issue 7 item 5; R-V3, R-V6, R-V8..R-V13): staff start a serial
 * onboarding through the API; the client reads the serial number and wizard link from the captured e-mail and walks
 * the five steps in Debian's Chromium, in Dutch and in English, with and without JavaScript: a wrong KvK number
 * first (the message next to the field, the tries left), the company name filled from the KvK number, a wrong
 * e-mail address, back and forward, the sandbox bank's consent, accounts with options, Done. Screenshots of each
 * step go to test-output/screenshots/wizard-<run>-<step>.png.
 */
const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'screenshots');
const CURRENT = 'NL69INGB0123456789';
const SAVINGS = 'NL21INGB0987654321';

jest.setTimeout(240_000);

const WORDS = {
  nl: {
    browserLocale: 'en-GB',
    start: 'Bankkoppeling instellen',
    begin: 'Beginnen',
    twoMinutes: 'ongeveer 2 minuten',
    steps: ['Gegevens', 'Koppeling', 'Bankconsent', 'Rekeningen', 'Klaar'],
    details: 'Stap 1: Gegevens',
    kvk: 'KvK-nummer',
    lookup: 'Bedrijfsnaam ophalen',
    serial: 'Serienummer',
    no: 'Nee',
    terms: 'Ik ga akkoord met de algemene voorwaarden van de bankkoppeling.',
    privacy: 'Ik ga akkoord met de privacyverklaring.',
    next: 'Volgende',
    previous: 'Vorige',
    mismatch: 'Dit KvK-nummer hoort niet bij dit serienummer. U kunt het nog 4 keer proberen.',
    connection: 'Stap 2: Koppeling',
    name: 'Naam accountmanager',
    email: 'E-mailadres accountmanager',
    badEmail: 'Vul een geldig e-mailadres in, bijvoorbeeld naam@bedrijf.nl.',
    consent: 'Stap 3: Bankconsent',
    toBank: 'Naar ING',
    accounts: 'Stap 4: Rekeningen',
    payments: 'Betalingen',
    directDebit: 'Incasso',
    finish: 'Koppeling afronden',
    signYourself: 'u ondertekent ze zelf bij ING',
    done: 'Stap 5: Klaar',
    hours: '24 uur',
    tip: 'één cent',
    costs: 'geen extra kosten',
    undo: 'Trek dan uw toestemming in bij ING',
    whose: 'uw accountmanager bij Administratiekantoor Wizard',
  },
  en: {
    browserLocale: 'nl-NL',
    start: 'Set up your bank connection',
    begin: 'Start',
    twoMinutes: 'about 2 minutes',
    steps: ['Details', 'Connection', 'Bank consent', 'Accounts', 'Done'],
    details: 'Step 1: Details',
    kvk: 'KvK number',
    lookup: 'Look up company name',
    serial: 'Serial number',
    no: 'No',
    terms: 'I accept the terms of service of the bank connection.',
    privacy: 'I accept the privacy statement.',
    next: 'Next',
    previous: 'Previous',
    mismatch: 'This KvK number does not belong to this serial number. You have 4 tries left.',
    connection: 'Step 2: Connection',
    name: "Account manager's name",
    email: "Account manager's e-mail address",
    badEmail: 'Enter a valid e-mail address, for example name@company.com.',
    consent: 'Step 3: Bank consent',
    toBank: 'Go to ING',
    accounts: 'Step 4: Accounts',
    payments: 'Payments',
    directDebit: 'Direct debit',
    finish: 'Finish the connection',
    signYourself: 'you still sign them yourself at ING',
    done: 'Step 5: Done',
    hours: '24 hours',
    tip: 'one cent',
    costs: 'at no extra cost',
    undo: 'withdraw your consent at ING',
    whose: 'your account manager at Administratiekantoor Wizard',
  },
} as const;

let world: World;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

for (const lang of ['nl', 'en'] as const) {
  // A world per language: each run's forms count towards the client pages' limit of writes per minute per address.
  describe(lang, () => {
    beforeAll(async () => {
      world = await startWorld({ seed: 21 });
    });

    afterAll(async () => {
      await world?.stop();
    });

    for (const javaScriptEnabled of [true, false]) {
      const run = `${lang}-${javaScriptEnabled ? 'js' : 'nojs'}`;
      // The Dutch offices' licence includes direct debit, the English ones' does not: the column follows the licence.
      const directDebitLicence = lang === 'nl';
      test(`${run}: serial number and wizard link from the e-mail -> five steps -> consent at the sandbox bank -> accounts with options -> Done; the connection links them`, async () => {
        const w = WORDS[lang];
        const office = await createTenant(world.db.orm, `Administratiekantoor Wizard (${run})`, {
          payments: true,
          directDebit: directDebitLicence,
        });
        const clientEmail = `eigenaar-${run}@donald.test`;
        const onboardingId = await startSerialOnboarding(office, clientEmail, lang);
        const { serial, wizardUrl } = await serialAndWizardMailedTo(clientEmail);
        expect(wizardUrl).toBe(`${world.baseUrl}/wizard`);

        // The browser speaks the other language: the client's choice in the URL must hold through the bank and back.
        const context = await browser.newContext({
          javaScriptEnabled,
          locale: w.browserLocale,
          viewport: { width: 1000, height: 1000 },
        });
        try {
          const page = await context.newPage();
          const problems = watchForProblems(page);
          const shot = (step: number, name: string) =>
            page.screenshot({ path: path.join(SCREENSHOTS, `wizard-${run}-${step}-${name}.png`), fullPage: true });

          // The start page: "about 2 minutes", the five steps of the seed (R-V8), in the language asked for.
          expect((await page.goto(`${wizardUrl}?lang=${lang}`))?.status()).toBe(200);
          expect(await page.locator('html').getAttribute('lang')).toBe(lang);
          expect(await page.locator('h1').textContent()).toBe(w.start);
          expect(await page.locator('main').textContent()).toContain(w.twoMinutes);
          expect(await page.locator('.progress li').allTextContents()).toEqual(
            w.steps.map((step, i) => `${i + 1}. ${step}`),
          );
          await fitsNarrowScreen(page, run);
          // The main action is a button, in the page's colours; every page offers the other language.
          expect(
            await style(page.getByRole('link', { name: w.begin }), 'textDecorationLine', 'backgroundColor'),
          ).toEqual(['none', PAGE_BLUE]);
          expect(await page.locator('header a[hreflang]').count()).toBe(1);
          await shot(0, 'start');
          await page.getByRole('link', { name: w.begin }).click();

          // Step 1, Details: a KvK number that is not this serial number's; the message stands next to the field.
          await page.waitForURL((url) => url.pathname === '/wizard/details');
          expect(await page.locator('h1').textContent()).toBe(w.details);
          await page.getByLabel(w.kvk).fill('69599084');
          await page.getByLabel(w.serial).fill(serial.toLowerCase().replace(/-/g, ' '));
          await page.getByRole('button', { name: w.next }).click();
          await page.locator('#kvkNumber-error').waitFor();
          expect(await page.locator('#kvkNumber-error').textContent()).toBe(w.mismatch);
          expect(await page.locator('#kvkNumber-error').isVisible()).toBe(true);
          expect(await page.getByLabel(w.kvk).getAttribute('aria-invalid')).toBe('true');
          expect(await page.getByLabel(w.serial).inputValue()).toBe(serial.toLowerCase().replace(/-/g, ' '));
          await shot(1, 'details-wrong-kvk');

          // R-V3: the right KvK number fills the company name: live with JavaScript, on "look up" without.
          await page.getByLabel(w.kvk).fill('68750110');
          if (javaScriptEnabled) {
            expect(await page.getByRole('button', { name: w.lookup }).isVisible()).toBe(false);
          } else {
            await page.getByRole('button', { name: w.lookup }).click();
            await page.waitForLoadState();
          }
          await page.locator('#companyName', { hasText: 'Test BV Donald' }).waitFor();
          await shot(1, 'details-company');
          await page.getByRole('button', { name: w.next }).click();

          // Still step 1: the bank the serial number is for, ING's own question, the terms and privacy statement.
          await page.waitForURL((url) => url.pathname === '/wizard/terms');
          expect(await page.locator('h1').textContent()).toBe(w.details);
          expect(
            await page
              .locator('dt', { hasText: /^Bank$/ })
              .locator('xpath=following-sibling::dd[1]')
              .textContent(),
          ).toBe('ING');
          await fitsNarrowScreen(page, run);
          await page.getByLabel(w.no, { exact: true }).check();
          await page.getByLabel(w.terms).check();
          await page.getByLabel(w.privacy).check();
          await page.getByRole('button', { name: w.next }).click();

          // Step 2, Connection: a wrong e-mail address first, then back to step 1 and forward again; nothing is lost.
          await page.waitForURL((url) => url.pathname === '/wizard/connection');
          expect(await page.locator('h1').textContent()).toBe(w.connection);
          expect(await page.locator('main').textContent()).toContain('Test BV Donald');
          expect(await page.locator('main').textContent()).toContain(w.whose);
          expect(await style(page.getByRole('link', { name: w.previous }), 'color')).toEqual([PAGE_BLUE]);
          await page.getByLabel(w.name).fill('Anna de Vries');
          await page.getByLabel(w.email).fill('anna@');
          await page.getByRole('button', { name: w.next }).click();
          await page.locator('#email-error').waitFor();
          expect(await page.locator('#email-error').textContent()).toBe(w.badEmail);
          await shot(2, 'connection-bad-email');
          await page.getByRole('link', { name: w.previous }).click();
          await page.waitForURL((url) => url.pathname === '/wizard/terms');
          expect(await page.getByLabel(w.terms).isChecked()).toBe(true);
          await page.getByRole('link', { name: w.previous }).click();
          await page.waitForURL((url) => url.pathname === '/wizard/details');
          expect(await page.getByLabel(w.kvk).inputValue()).toBe('68750110');
          expect(await page.getByLabel(w.serial).inputValue()).toBe(serial);
          await page.getByRole('button', { name: w.next }).click();
          await page.waitForURL((url) => url.pathname === '/wizard/terms');
          await page.getByRole('button', { name: w.next }).click();
          await page.waitForURL((url) => url.pathname === '/wizard/connection');
          await page.getByLabel(w.name).fill('Anna de Vries');
          await page.getByLabel(w.email).fill('anna@boekhouder.test');
          await page.getByRole('button', { name: w.next }).click();

          // Step 3, Bank consent: to the sandbox bank, log in as the Owner, tick two accounts, sign.
          await page.waitForURL((url) => url.pathname === '/wizard/consent');
          expect(await page.locator('h1').textContent()).toBe(w.consent);
          await shot(3, 'consent');
          await page.getByRole('button', { name: w.toBank }).click();
          await page.waitForURL((url) => url.origin === world.bank.url && url.pathname.startsWith('/INGB/oauth/'));
          await page.locator('input[name="username"]').fill('ing-owner');
          await page.locator('input[name="password"]').fill('sandbox');
          await page.getByRole('button', { name: 'Inloggen · Log in' }).click();
          await page.locator(`input[name="accounts"][value="${CURRENT}"]`).waitFor();
          for (const box of await page.locator('input[name="accounts"]').all()) {
            if ([CURRENT, SAVINGS].includes((await box.getAttribute('value')) ?? '')) await box.check();
            else await box.uncheck();
          }
          await page.getByRole('button', { name: 'Ondertekenen · Sign' }).click();

          // Step 4, Accounts: back in the wizard (through the wait page if the listing is still running).
          await page.waitForURL((url) => url.origin === world.baseUrl && url.pathname === '/wizard/accounts');
          await page.locator('h1', { hasText: w.accounts }).waitFor();
          await page.locator(`tr[data-iban="${CURRENT}"]`).waitFor({ timeout: 30_000 });
          expect(await page.locator('thead th').allTextContents()).toEqual(
            directDebitLicence
              ? [expect.any(String), expect.any(String), w.payments, w.directDebit]
              : [expect.any(String), expect.any(String), w.payments],
          );
          expect(await page.locator(`tr[data-iban="${CURRENT}"] input[name="tx"]`).isChecked()).toBe(true);
          expect(await page.locator(`tr[data-iban="${SAVINGS}"] input[name="tx"]`).isChecked()).toBe(true);
          if (javaScriptEnabled) expect(await page.locator('#estimate').textContent()).toContain('2');
          expect(await page.locator('html').getAttribute('lang')).toBe(lang);
          expect(await page.locator('main').textContent()).toContain(w.signYourself);
          await fitsNarrowScreen(page, run);
          await page.locator(`tr[data-iban="${CURRENT}"] input[name="pay"]`).check();
          await shot(4, 'accounts');
          await page.getByRole('button', { name: w.finish }).click();

          // Step 5, Done: the 24-hour note and the one-cent tip (R-V13), two accounts at no extra cost (R-V4).
          await page.waitForURL((url) => url.pathname === '/wizard/done');
          expect(await page.locator('h1').textContent()).toBe(w.done);
          const done = (await page.locator('main').textContent()) ?? '';
          expect(done).toContain(w.costs);
          expect(done).toContain('NL69 INGB 0123 4567 89');
          expect(done).toContain(w.undo);
          await fitsNarrowScreen(page, run);
          // Until the first transactions arrive (the sandbox may already have some for today).
          if (!/(en actief|and active)\.$/.test((await page.locator('p.ok').textContent()) ?? '')) {
            expect(done).toContain(w.hours);
            expect(done).toContain(w.tip);
          }
          await shot(5, 'done');

          // A reload repeats nothing; an earlier step now leads back to the end.
          await page.reload();
          expect(await page.locator('h1').textContent()).toBe(w.done);
          await page.goto(`${world.baseUrl}/wizard/details`);
          expect(new URL(page.url()).pathname).toBe('/wizard/done');
          // The two refused forms above answer 422 on purpose; Chromium reports any 4xx page load on the console.
          expect(problems.filter((p) => !/status of 422/.test(p))).toEqual([]);
        } finally {
          await context.close();
        }

        // The connection links both accounts with the options chosen (R-V12), and the account manager (R-V10).
        const onboarding = await eventually(async () => {
          const row = await world.db.orm.em.fork().findOne(Onboarding, { id: onboardingId });
          return row && ['waiting_for_first_transaction', 'active'].includes(row.status) ? row : undefined;
        }, 60_000);
        expect(onboarding.accountManagerEmail).toBe('anna@boekhouder.test');
        expect(onboarding.wizardDetails).toEqual({
          insideBusiness: false,
          termsAcceptedAt: expect.any(String),
          privacyAcceptedAt: expect.any(String),
        });
        const linked = await world.db.orm.em
          .fork()
          .find(ConnectedAccount, { connection: onboarding.connection!.id }, { orderBy: { iban: 'asc' } });
        expect(
          linked.map((a) => ({
            iban: a.iban,
            importTransactions: a.importTransactions,
            payments: a.payments,
            directDebit: a.directDebit,
          })),
        ).toEqual([
          { iban: SAVINGS, importTransactions: true, payments: false, directDebit: false },
          { iban: CURRENT, importTransactions: true, payments: true, directDebit: false },
        ]);
      });
    }
  });
}

const PAGE_BLUE = 'rgb(20, 50, 92)';

/** At 390 px wide (a small phone) the page fits without sideways scrolling. */
async function fitsNarrowScreen(page: Page, run: string): Promise<void> {
  const shown = new URL(page.url()).pathname;
  const screenshot = path.join(SCREENSHOTS, `wizard-${run}-390${shown.replace(/\//g, '-')}.png`);
  expect({ page: shown, width: await narrowScreenWidth(page, screenshot) }).toEqual({ page: shown, width: 390 });
}

/** Computed style properties of an element, as the browser paints it (the tests have no DOM types of their own). */
async function style(locator: Locator, ...properties: string[]): Promise<string[]> {
  return locator.evaluate((element, names) => {
    const computed = (
      globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }
    ).getComputedStyle(element);
    return names.map((name) => computed[name]!);
  }, properties);
}

async function startSerialOnboarding(office: Tenant, clientEmail: string, language: 'nl' | 'en'): Promise<string> {
  const answer = await callApi(world.baseUrl, 'POST', '/api/onboardings', office.keys.staff, {
    flavour: 'serial',
    environmentId: office.mainEnvironmentId,
    bank: 'INGB',
    client: { kvkNumber: '68750110', email: clientEmail },
    language,
  });
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

/** The serial number and the wizard's address, from the e-mail the client got. */
async function serialAndWizardMailedTo(address: string): Promise<{ serial: string; wizardUrl: string }> {
  const { serial, text } = await serialMailedTo(world, address);
  const wizardUrl = new RegExp(`${world.baseUrl.replace(/[.]/g, '\\.')}/wizard\\b`).exec(text)?.[0];
  if (!wizardUrl) throw new Error(`no link to the wizard in the e-mail:\n${text}`);
  return { serial, wizardUrl };
}
