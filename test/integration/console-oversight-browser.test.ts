import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedActions } from '../../bench/seed-actions.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';
import { freePort } from '../support/free-port.js';

/**
 * The dashboard and policy pages in a real browser (Debian's chromium through
 * playwright-core): the chart is drawn under the strict Content-Security-Policy
 * with nothing refused, and an admin's form changes an override. Screenshots
 * go to AIRLOCK_SCREENSHOTS (`docs/console` refreshes the docs' pictures) or
 * a temporary directory.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`\n*** console-oversight-browser.test.ts SKIPPED: no browser at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (scripts/services.sh does). ***\n`);

const shots = process.env.AIRLOCK_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'airlock-console-shots-'));

describe.skipIf(!available)('the dashboard and policy pages in a browser', () => {
  let t: ConsoleTestAirlock;
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    t = await startConsoleAirlock({ port, policyFile: 'test/fixtures/console-oversight-policy.yml', env: { POLICY_SHADOW_FILE: 'test/fixtures/console-oversight-shadow.yml' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    // A month of history to chart, as bench:report seeds it.
    await seedActions(t.core.pool, 'acme', 3_000, 0);
    for (let i = 0; i < 3; i++) await t.submit('acme', 'read');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A signed-in window whose console errors (a refused script or style included) are collected. */
  async function signIn(account: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, timezoneId: 'Europe/Paris', locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    // Chromium asks every site for /favicon.ico; the console has none to offer, and that is no error of a page.
    page.on('console', (m) => void (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && errors.push(`${m.text()} ${m.location().url}`)));
    page.on('pageerror', (e) => void errors.push(e.message));
    t.idp.signInAs(account);
    await page.goto(`${t.publicUrl}/console`);
    await page.waitForURL((u) => u.origin === t.publicUrl && u.pathname !== '/console/callback');
    return { page, errors };
  }

  it("draws the auditor's dashboard chart from the embedded data with nothing refused by the Content-Security-Policy", async () => {
    const { page, errors } = await signIn('auditor');
    await page.click('text=Dashboard');
    await page.waitForSelector('#decisions-chart canvas');
    expect(await page.locator('.u-legend th').allTextContents()).toEqual(expect.arrayContaining(['allow', 'queue_for_approval']));
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    await page.click('text=Last 24 hours');
    await page.waitForSelector('#decisions-chart canvas');
    expect(new URL(page.url()).search).toBe('?window=24h');
    expect(errors).toEqual([]);
  });

  it("lets an admin deny a tool from the policy page's form and shows it under the overrides", async () => {
    const { page, errors } = await signIn('admin');
    await page.click('text=Policy');
    await page.selectOption('#deny-tool', 'send_email');
    await page.fill('#deny-reason', 'mail vendor incident');
    await Promise.all([page.waitForNavigation(), page.click('text=Deny the tool')]);
    expect(await page.locator('.flash').textContent()).toMatch(/^Denied send_email for tenant acme/);
    await page.screenshot({ path: join(shots, 'policy.png'), fullPage: true });
    expect(errors).toEqual([]);
    const phone = await signIn('auditor', { width: 375, height: 800 });
    await phone.page.goto(`${t.publicUrl}/console/t/acme/dashboard`);
    await phone.page.waitForSelector('#decisions-chart canvas');
    await phone.page.screenshot({ path: join(shots, 'dashboard-phone.png') });
    expect(phone.errors).toEqual([]);
  });
});
