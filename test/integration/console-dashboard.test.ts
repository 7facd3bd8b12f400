import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, type Page } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/**
 * The dashboard: `airlock report`'s figures for auditors and admins, in one
 * page (the chart's data embedded as JSON, never as script), with tables
 * that read without script.
 */
let t: ConsoleTestAirlock;
beforeAll(async () => {
  t = await startConsoleAirlock();
  const { client } = await t.signIn('lead1');
  const decide = async (id: string, form: Record<string, string>) => {
    const inbox = await client.get('/console/t/acme/inbox');
    const sent = await client.post(`/console/t/acme/actions/${id}/review`, { _csrf: ConsoleClient.csrfOf(inbox), args_version: '1', back: '/console/t/acme/inbox', ...form });
    expect(sent.status).toBe(303);
  };
  await t.submit('acme', 'read');
  await t.submit('acme', 'read');
  const approved = await t.submit('acme', 'send_email');
  const denied = await t.submit('acme', 'send_email');
  await t.submit('acme', 'send_email');
  await t.submit('acme', 'refund');
  await decide(approved.id, { decision: 'approve', confirmed: 'yes' });
  await decide(denied.id, { decision: 'deny', reason: 'wrong customer' });
  // Another tenant's actions never show in acme's figures.
  await t.submit('globex', 'send_email');
});
afterAll(() => t?.close());

const chartData = (page: Page) => {
  const m = /<script type="application\/json" id="decisions-data">([^<]*)<\/script>/.exec(page.body);
  return m ? (JSON.parse(m[1]!) as { x: number[]; series: { decision: string; counts: number[] }[] }) : undefined;
};
const tile = (page: Page, name: string) => new RegExp(`<dt>${name}</dt><dd>([^<]*)</dd>`).exec(page.body)?.[1];
const row = (page: Page, name: string) =>
  new RegExp(`<tr><th scope="row">(?:<code>)?${name}(?:</code>)?</th>(.*?)</tr>`, 's')
    .exec(page.body)?.[1]
    ?.replace(/<meter[^>]*><\/meter>/g, '')
    .match(/<td[^>]*>([^<]*)<\/td>/g)
    ?.map((c) => c.replace(/<[^>]+>/g, '').trim());

/** Consecutive slices `step` seconds wide on multiples of `step` since the epoch, covering a window of `whole` slices: one more when it starts inside a slice. */
const expectSlices = (x: number[], step: number, whole: number) => {
  expect(x.length === whole || x.length === whole + 1, `${x.length} slices`).toBe(true);
  expect(x[0]! % step).toBe(0);
  x.forEach((v, i) => expect(v - x[0]!).toBe(i * step));
  expect(x[x.length - 1]!).toBeLessThanOrEqual(Date.now() / 1000);
  expect(x[x.length - 1]! + step).toBeGreaterThan(Date.now() / 1000 - 60);
};

describe('the console dashboard', () => {
  it("shows an auditor the tenant's report: actions, approval rate, open approvals, groups and top tools, with the chart's data embedded", async () => {
    const { client } = await t.signIn('auditor');
    const page = await client.get('/console/t/acme/dashboard');
    expect(page.status).toBe(200);
    expect(tile(page, 'Actions')).toBe('6');
    expect(tile(page, 'Approval rate')).toBe('50.0 %');
    expect(tile(page, 'Open approvals')).toBe('2');
    // Group: asked, approved, denied, expired, withdrawn, open, rate.
    expect(row(page, 'leads')?.slice(0, 7)).toEqual(['3', '1', '1', '0', '0', '1', '50.0 %']);
    expect(row(page, 'finance')?.slice(0, 7)).toEqual(['1', '0', '0', '0', '0', '1', '—']);
    expect(row(page, 'send_email')?.slice(0, 4)).toEqual(['3', '0', '3', '50.0 %']);
    expect(page.body.indexOf('<code>send_email</code>')).toBeLessThan(page.body.indexOf('<code>read</code>'));
    const data = chartData(page)!;
    // 7 days in 6-hour slices on clock boundaries (00, 06, 12, 18 UTC): 28, or 29 when the window starts inside one.
    expectSlices(data.x, 6 * 3600, 28);
    const byDecision = Object.fromEntries(data.series.map((s) => [s.decision, s.counts.reduce((a, b) => a + b, 0)]));
    expect(byDecision).toEqual({ allow: 2, queue_for_approval: 4 });
    // Every script is Airlock's own file or inert JSON; the nav offers the auditor's pages.
    for (const tag of page.body.match(/<script[^>]*>/g)!) expect(tag).toMatch(/src="\/console\/assets\/|type="application\/json"/);
    expect(page.body).toContain('href="/console/t/acme/policy"');
    const lib = await client.get('/console/assets/uPlot.iife.min.js');
    expect(lib.status).toBe(200);
    expect(lib.headers['content-type']).toContain('text/javascript');
    expect(lib.body).toContain('uPlot');
    expect((await client.get('/console/assets/dashboard-chart.js')).body).toContain('decisions-data');
  });

  it('counts over the window chosen: hourly slices for 24h, daily ones for 30d, 7 days for anything else', async () => {
    const { client } = await t.signIn('admin');
    const day = await client.get('/console/t/acme/dashboard?window=24h');
    expectSlices(chartData(day)!.x, 3600, 24);
    expect(chartData(day)!.series.flatMap((s) => s.counts).reduce((a, b) => a + b)).toBe(6);
    expect(day.body).toMatch(/<a href="\/console\/t\/acme\/dashboard\?window=24h" aria-current="page">/);
    expectSlices(chartData(await client.get('/console/t/acme/dashboard?window=30d'))!.x, 86_400, 30);
    const odd = await client.get('/console/t/acme/dashboard?window=%3Cscript%3E');
    expect(odd.status).toBe(200);
    expect(odd.body).toMatch(/window=7d" aria-current="page"/);
  });

  it('is not found for a reviewer and for another tenant, and says so to someone with no role anywhere; the reviewer is offered no link to it', async () => {
    const lead = await t.signIn('lead1');
    expect((await lead.client.get('/console/t/acme/dashboard')).status).toBe(404);
    expect((await lead.client.get('/console/t/acme/inbox')).body).not.toContain('/dashboard');
    const auditor = await t.signIn('auditor');
    expect((await auditor.client.get('/console/t/globex/dashboard')).status).toBe(404);
    // Someone the policy gives no role anywhere is told so, for any tenant (which says nothing about the tenant).
    const stranger = await t.signIn('stranger');
    for (const path of ['/console/t/acme/dashboard', '/console/t/acme/activity', '/console/t/acme/policy', '/console/t/acme/actions/00000000-0000-4000-8000-000000000000', '/console/t/no-such-tenant/dashboard']) {
      const page = await stranger.client.get(path);
      expect(page.status, path).toBe(403);
      expect(page.body, path).toContain('not connected to any Airlock tenant');
    }
  });

  it("shows a person listed in two tenants the figures of the tenant they chose only", async () => {
    const { client } = await t.signIn('both');
    const page = await client.get('/console/t/globex/dashboard?window=24h');
    expect(page.status).toBe(200);
    expect(tile(page, 'Actions')).toBe('1');
    expect(row(page, 'leads')?.slice(0, 1)).toEqual(['1']);
  });
});
