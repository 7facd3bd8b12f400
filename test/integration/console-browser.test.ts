import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';
import { freePort } from '../support/free-port.js';

/**
 * The console in a real browser (Debian's chromium, driven by
 * playwright-core; never a downloaded browser): signing in through the real
 * OpenID provider's redirects, reading the inbox, deciding. Screenshots of
 * each page go to AIRLOCK_SCREENSHOTS (`docs/console` refreshes the docs'
 * pictures) or a temporary directory.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`\n*** console-browser.test.ts SKIPPED: no browser at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (scripts/services.sh does). ***\n`);

const shots = process.env.AIRLOCK_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'airlock-console-shots-'));

describe.skipIf(!available)('the console in a browser', () => {
  let t: ConsoleTestAirlock;
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    t = await startConsoleAirlock({ port });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Playwright gives each launch a fresh, temporary profile.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A person's own browser window (its own cookies), signed in through the IdP's redirects. */
  async function signIn(account: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, timezoneId: 'Europe/Paris', locale: 'en-GB' });
    const page = await context.newPage();
    t.idp.signInAs(account);
    await page.goto(`${t.publicUrl}/console`);
    await page.waitForURL((u) => u.origin === t.publicUrl && u.pathname !== '/console/callback');
    return page;
  }

  /** Submits a card's form and waits for the page it leads to. */
  async function submit(page: Page, button: string) {
    await Promise.all([page.waitForNavigation(), page.click(button)]);
    return (await page.locator('.flash').textContent())?.trim();
  }

  it('signs a reviewer in, shows the inbox, approves one action and denies another', async () => {
    const a = await t.submit('acme', 'send_email', { summary: 'Tell Jane her refund is on its way' });
    const b = await t.submit('acme', 'send_email', { summary: 'Send Jane a discount code', args: { to: 'jane@example.com', subject: '20% off your next order', body: 'secret' } });
    const page = await signIn('lead1');
    expect(new URL(page.url()).pathname).toBe('/console/t/acme/inbox');
    await page.waitForSelector(`#card-${a.id}`);
    // Times are shown in the viewer's zone by the page's own script; the UTC time stays in the title.
    const deadline = page.locator(`#card-${a.id} ~ p time`).first();
    expect(await deadline.getAttribute('title')).toMatch(/ UTC$/);
    expect(await deadline.textContent()).not.toMatch(/UTC$/);
    await page.screenshot({ path: join(shots, 'inbox.png'), fullPage: true });

    await page.check(`#confirm-${a.id}`);
    expect(await submit(page, `#card-${a.id} ~ .review .approve button`)).toBe(`Approved: send_email (${a.id}).`);
    await page.fill(`#deny-reason-${b.id}`, 'Discounts need a manager');
    expect(await submit(page, `#card-${b.id} ~ .review .deny button`)).toBe(`Denied: send_email (${b.id}).`);
    await page.screenshot({ path: join(shots, 'decided.png'), fullPage: true });

    expect((await t.core.actions.get('acme', a.id))?.status).toBe('approved');
    const denied = await t.core.actions.get('acme', b.id);
    expect(denied?.status).toBe('denied');
    expect(denied?.reviews[0]).toMatchObject({ decision: 'deny', reason: 'Discounts need a manager', reviewer: { platform: 'console', userId: 'lead1@acme.example' } });

    // The approved action's page: its card, then its story from the audit trail.
    await page.goto(`${t.publicUrl}/console/t/acme/actions/${a.id}`);
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.timeline').textContent()).toContain('by console lead1@acme.example');
    await page.screenshot({ path: join(shots, 'action.png'), fullPage: true });
    await page.context().close();
  });

  it('refuses the reviewer who requested the action', async () => {
    const mine = await t.submit('acme', 'send_email', { requester: { id: 'lead1@acme.example', email: 'lead1@acme.example' } });
    const page = await signIn('lead1');
    await page.check(`#confirm-${mine.id}`);
    expect(await submit(page, `#card-${mine.id} ~ .review .approve button`)).toBe('You requested this action, so someone else has to decide it.');
    expect((await t.core.actions.get('acme', mine.id))?.status).toBe('pending');
    await page.context().close();
  });

  it("answers 404 to a tenant A reviewer for tenant B's action and pages", async () => {
    const foreign = await t.submit('globex', 'send_email');
    const page = await signIn('lead1');
    for (const url of [`/console/t/globex/actions/${foreign.id}`, `/console/t/acme/actions/${foreign.id}`, '/console/t/globex/inbox']) {
      const res = await page.goto(`${t.publicUrl}${url}`);
      expect(res?.status()).toBe(404);
      expect(await page.content()).not.toContain('send_email');
    }
    await page.context().close();
  });

  it("shows an auditor the tenant's activity, filtered with the form", async () => {
    await t.submit('acme', 'read');
    const page = await signIn('audit');
    await page.goto(`${t.publicUrl}/console/t/acme/activity`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
    await page.selectOption('#f-decision', 'allow');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    expect(new URL(page.url()).searchParams.get('decision')).toBe('allow');
    const decisions = await page.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.every((d) => d.startsWith('allow'))).toBe(true);
    await page.goto(`${t.publicUrl}/console/t/acme/activity`);
    await page.screenshot({ path: join(shots, 'activity.png'), fullPage: true });
    await page.context().close();
  });

  it('lets a person in two tenants choose one, and reads well on a 375 px phone', async () => {
    await t.submit('acme', 'send_email', { summary: 'A long summary that has to wrap on a narrow screen without pushing anything off the side of it' });
    const page = await signIn('both', { width: 375, height: 812 });
    expect(await page.locator('h1').textContent()).toBe('Choose a tenant');
    await page.screenshot({ path: join(shots, 'tenants.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click('a[href="/console/t/acme/inbox"]')]);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // What the phone's screen shows.
    await page.screenshot({ path: join(shots, 'inbox-phone.png') });
    await page.context().close();
  });

  it('signs out at the identity provider too: the Content-Security-Policy lets the sign-out form go on there, and the next sign-in asks for credentials again', async () => {
    const page = await signIn('lead1');
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await Promise.all([page.waitForURL((u) => u.origin === t.idp.issuer), page.click('form.signout button')]);
    expect(await page.locator('h1').textContent()).toBe('Sign out of the test IdP?');
    await Promise.all([page.waitForURL(`${t.publicUrl}/console/signed-out`), page.click('button[value="yes"]')]);
    expect(await page.locator('h1').textContent()).toBe('Signed out');
    expect(refused).toEqual([]);

    const asked = t.idp.credentialsAsked();
    t.idp.signInAs('lead1');
    await Promise.all([page.waitForURL(`${t.publicUrl}/console/t/acme/inbox`), page.click('a.button')]);
    expect(t.idp.credentialsAsked()).toBe(asked + 1);
    await page.context().close();
  });
});
