import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/** The activity page: a tenant's actions for its auditors and admins, filtered, a page at a time, and exported. */
let t: ConsoleTestAirlock;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startConsoleAirlock({ processors: false });
  ids.read = (await t.submit('acme', 'read', { requester: { id: '=HYPERLINK("http://evil.example")', email: 'sam@example.com' } })).id;
  ids.email = (await t.submit('acme', 'send_email')).id;
  ids.refund = (await t.submit('acme', 'refund')).id;
  ids.globex = (await t.submit('globex', 'send_email')).id;
});
afterAll(() => t?.close());

/** The action ids a listing shows, in order. */
const listed = (body: string) => [...body.matchAll(/href="\/console\/t\/[a-z]+\/actions\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

describe('the console activity page', () => {
  it("lists the tenant's actions newest first for an auditor, and only that tenant's", async () => {
    const { client } = await t.signIn('audit');
    const page = await client.get('/console/t/acme/activity');
    expect(page.status).toBe(200);
    expect(listed(page.body)).toEqual([ids.refund, ids.email, ids.read]);
    expect(page.body).toContain('queue_for_approval');
    expect(page.body).not.toContain(ids.globex);
  });

  it('filters by tool, agent, decision, status and time', async () => {
    const { client } = await t.signIn('audit');
    const get = async (q: string) => listed((await client.get(`/console/t/acme/activity?${q}`)).body);
    expect(await get('tool=send_email')).toEqual([ids.email]);
    expect(await get('decision=allow')).toEqual([ids.read]);
    expect(await get('status=pending')).toEqual([ids.refund, ids.email]);
    expect(await get('agent=bot&decision=queue_for_approval')).toEqual([ids.refund, ids.email]);
    expect(await get('agent=nobody')).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await get(`since=${today}&until=${today}`)).toHaveLength(3);
    expect(await get('until=2000-01-01')).toEqual([]);
    const bad = await client.get('/console/t/acme/activity?decision=maybe');
    expect(bad.status).toBe(400);
  });

  it('pages with a signed cursor that belongs to its filters', async () => {
    const { client } = await t.signIn('audit');
    const first = await client.get('/console/t/acme/activity?limit=2');
    expect(listed(first.body)).toEqual([ids.refund, ids.email]);
    const next = /href="(\/console\/t\/acme\/activity\?[^"]*cursor=[^"]+)"/.exec(first.body)![1]!.replaceAll('&amp;', '&');
    const second = await client.get(next);
    expect(listed(second.body)).toEqual([ids.read]);
    expect(second.body).not.toMatch(/cursor=/);
    // A cursor is for the listing it came from.
    expect((await client.get(next.replace('limit=2', 'limit=2&tool=read'))).status).toBe(400);
    expect((await client.get('/console/t/acme/activity?cursor=forged.cursor')).status).toBe(400);
  });

  it('exports what the filters select as CSV (cells that a spreadsheet would run are defused) and as JSON Lines', async () => {
    const { client } = await t.signIn('audit');
    const csv = await client.get('/console/t/acme/activity/export?format=csv&status=pending');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="airlock-acme-activity-\d{8}T\d{6}Z\.csv"$/);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('created_at,id,tool,agent,requester_id,requester_email,decision,mode,status,rule,policy_version,reviewer_group,decided_at');
    expect(rows.slice(1).map((r) => r.split(',')[1])).toEqual([ids.refund, ids.email]);

    const all = await client.get('/console/t/acme/activity/export?format=csv');
    expect(all.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);

    const jsonl = await client.get('/console/t/acme/activity/export?format=jsonl&tool=read');
    expect(jsonl.headers['content-type']).toContain('application/x-ndjson');
    const lines = jsonl.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ id: ids.read, tool: 'read', decision: 'allow', requester_id: '=HYPERLINK("http://evil.example")' })]);
  });

  it('is for auditors and admins: a reviewer gets 404, and another tenant stays out of reach', async () => {
    const lead = await t.signIn('lead1');
    expect((await lead.client.get('/console/t/acme/activity')).status).toBe(404);
    expect((await lead.client.get('/console/t/acme/activity/export?format=csv')).status).toBe(404);
    const both = await t.signIn('both');
    expect(listed((await both.client.get('/console/t/globex/activity')).body)).toEqual([ids.globex]);
    expect((await both.client.get('/console/t/acme/activity')).status).toBe(404);
  });
});
