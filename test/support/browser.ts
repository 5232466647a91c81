import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Helpers shared by the browser tests (Debian's Chromium driven by playwright-core). */

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless; launch() gives every browser a fresh, throw-away user-data directory of its own. */
export async function launchChromium(): Promise<Browser> {
  // No silent skip: without the browser a browser test cannot say anything, so it fails and says what to do.
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with "sudo apt-get install -y chromium" (.ci/run does this in CI).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Console errors (a CSP violation shows up there), failed page loads and page errors: none expected. */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon/.test(message.location().url))
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (!/favicon/.test(request.url()))
      problems.push(
        `request failed: ${request.method()} ${request.url().replace(/\/connect\/[A-Za-z0-9_-]{43}/, '/connect/[token]')} ${request.failure()?.errorText}`,
      );
  });
  return problems;
}

/**
 * The page as a small phone (390 px wide) shows it, screenshot included: answers the width the page takes there,
 * 390 when nothing scrolls sideways.
 */
export async function narrowScreenWidth(page: Page, screenshot: string): Promise<number> {
  const wide = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  const scrollWidth = Number(await page.evaluate('document.scrollingElement.scrollWidth'));
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.setViewportSize(wide);
  return Math.max(scrollWidth, 390);
}
