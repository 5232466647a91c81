import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createTenant } from '../support/api-fixture';
import { launchChromium, narrowScreenWidth, watchForProblems } from '../support/browser';
import { eventually } from '../support/eventually';
import { linkMailedTo } from '../support/mail';
import { startOnboardingThroughApi } from '../support/onboarding';
import { startWorld, type World } from '../support/world';

/**
 * The client's way through a real browser (issue 6 item 6; R-A1, R-A3, R-A11, R-V13): Debian's Chromium, driven by
 * playwright-core, opens the link from the captured e-mail, presses "Koppelen", logs in at the sandbox bank, ticks
 * the account, signs and lands on the success page; once with JavaScript and once without (DESIGN.md: pages work
 * without JavaScript). Screenshots of every step go to test-output/screenshots/.
 */
const IBAN = 'NL69INGB0123456789';
const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'screenshots');

jest.setTimeout(180_000);

let world: World;
let db: World['db'];
let bank: World['bank'];
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  world = await startWorld({ seed: 7 });
  ({ db, bank, baseUrl } = world);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

for (const javaScriptEnabled of [true, false]) {
  const label = javaScriptEnabled ? 'js' : 'nojs';
  test(`${javaScriptEnabled ? 'with' : 'without'} JavaScript: e-mailed link -> Koppelen -> bank login as ing-owner -> tick ${IBAN} -> sign -> success page; the onboarding goes on to its first transactions`, async () => {
    // Each run is its own office, so the two runs never share a connection or an open link (R-A9).
    const office = await createTenant(db.orm, `Administratiekantoor De Boekhouder (${label})`);
    const clientEmail = `eigenaar-${label}@donald.test`;
    const { id: onboardingId, workflowId } = await startOnboardingThroughApi(world, office, clientEmail);
    expect(workflowId).toBe(`onboarding:${onboardingId}`);
    const link = await linkMailedTo(world, clientEmail);

    const context = await browser.newContext({
      javaScriptEnabled,
      locale: 'nl-NL',
      viewport: { width: 1000, height: 900 },
    });
    try {
      const page = await context.newPage();
      const problems = watchForProblems(page);

      // 1. The link page: Dutch, says who asks, for which company and which bank.
      const linkPage = await page.goto(link);
      expect(linkPage?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('nl');
      expect(await page.locator('h1').textContent()).toBe('Bankkoppeling activeren');
      expect(await definition(page, 'Administratiekantoor')).toBe(`Administratiekantoor De Boekhouder (${label})`);
      expect(await definition(page, 'Bedrijf')).toBe('Test BV Donald');
      expect(await definition(page, 'KvK-nummer')).toBe('68750110');
      expect(await definition(page, 'Bank')).toBe('ING');
      await shot(page, label, 1, 'link');
      // A small phone: nothing scrolls sideways.
      expect(await narrowScreenWidth(page, path.join(SCREENSHOTS, `onboarding-${label}-390-link.png`))).toBe(390);

      // 2. "Koppelen": the POST consumes the link and the browser follows the 303 to the bank's login page.
      await page.getByRole('button', { name: 'Koppelen' }).click();
      await page.waitForURL((url) => url.origin === bank.url && url.pathname.startsWith('/INGB/oauth/'));
      expect(await page.locator('h1').textContent()).toContain('Inloggen');
      await shot(page, label, 2, 'bank-login');

      // 3. Log in as the Owner (R-A3), tick the account.
      await page.locator('input[name="username"]').fill('ing-owner');
      await page.locator('input[name="password"]').fill('sandbox');
      await page.getByRole('button', { name: 'Inloggen · Log in' }).click();
      await page.waitForURL((url) => url.origin === bank.url && url.pathname === '/INGB/oauth/login');
      await page.locator(`input[name="accounts"][value="${IBAN}"]`).waitFor();
      expect(await page.locator('h1').textContent()).toContain('Rekeningen kiezen');
      for (const box of await page.locator('input[name="accounts"]').all()) {
        if ((await box.getAttribute('value')) === IBAN) await box.check();
        else await box.uncheck();
      }
      expect(await page.locator(`input[name="accounts"][value="${IBAN}"]`).isChecked()).toBe(true);
      await shot(page, label, 3, 'bank-accounts');

      // 4. Sign: the bank sends the browser back to our callback, which shows the success page.
      await page.getByRole('button', { name: 'Ondertekenen · Sign' }).click();
      await page.waitForURL((url) => url.origin === baseUrl && url.pathname === '/connect/callback');
      expect(await page.locator('h1').textContent()).toBe('Gelukt');
      expect(await page.locator('p.ok').textContent()).toBe(
        `Uw rekeningen bij ING zijn gekoppeld aan de administratie van Test BV Donald bij Administratiekantoor De Boekhouder (${label}).`,
      );
      await page.locator('table.accounts', { hasText: 'NL69 INGB 0123 4567 89' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('main').textContent()).toContain('Koppeling ongedaan maken');
      await shot(page, label, 4, 'success');
      expect(await narrowScreenWidth(page, path.join(SCREENSHOTS, `onboarding-${label}-390-success.png`))).toBe(390);

      // 5. The link, opened again, now says the connection is active and offers no button.
      await page.goto(link);
      expect(await page.locator('h1').textContent()).toBe('De bankkoppeling is actief');
      expect(await page.getByRole('button', { name: 'Koppelen' }).count()).toBe(0);
      await shot(page, label, 5, 'link-again');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    const detail = await eventually(async () => {
      const answer = await fetch(`${baseUrl}/api/onboardings/${onboardingId}`, {
        headers: { authorization: `Bearer ${office.keys.support}` },
      });
      const body = (await answer.json()) as {
        status: string;
        statusReason: string | null;
        connectionId: string | null;
        currentStep: string;
      };
      return ['waiting_for_first_transaction', 'active'].includes(body.status) ? body : undefined;
    }, 60_000);
    expect(detail.statusReason).toBeNull();
    expect(detail.connectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(['first_transactions', 'done']).toContain(detail.currentStep);
  });
}

/** The value next to a label in the page's definition list. */
async function definition(page: Page, term: string): Promise<string | null> {
  return page
    .locator('dt', { hasText: new RegExp(`^${term}$`) })
    .locator('xpath=following-sibling::dd[1]')
    .textContent();
}

async function shot(page: Page, label: string, step: number, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `onboarding-${label}-${step}-${name}.png`), fullPage: true });
}
