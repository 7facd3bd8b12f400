import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/** One action's page: the card's content, then its story from the audit trail; only for those who may read it. */
let t: ConsoleTestAirlock;
beforeAll(async () => {
  t = await startConsoleAirlock({ processors: false });
});
afterAll(() => t?.close());

describe("the console's action page", () => {
  it('shows a reviewer an action of their group, decides it from there, and tells its story', async () => {
    const a = await t.submit('acme', 'send_email', { summary: 'Tell <b>Jane</b>' });
    const { client } = await t.signIn('lead1');
    const url = `/console/t/acme/actions/${a.id}`;
    const before = await client.get(url);
    expect(before.status).toBe(200);
    expect(before.body).toContain(`id="card-${a.id}"`);
    expect(before.body).toContain('Tell &lt;b&gt;Jane&lt;/b&gt;');
    expect(before.body).toContain(`action="${url}/review"`);
    expect(before.body).toContain('<strong>Decision</strong>');
    expect(before.body).toContain('queue_for_approval (mode approval_required), rule tools.send_email.mode');

    const sent = await client.post(`${url}/review`, { _csrf: ConsoleClient.csrfOf(before), decision: 'deny', reason: 'wrong <customer>', args_version: '1', back: url });
    expect(sent).toMatchObject({ status: 303, location: url });
    const after = await client.get(url);
    expect(after.body).toContain('Status <strong>denied</strong>');
    expect(after.body).toContain('by console lead1@acme.example: &quot;wrong &lt;customer&gt;&quot;; status denied');
    expect(after.body).not.toContain(`action="${url}/review"`);
  });

  it('lets an auditor read any action of the tenant, without deciding it', async () => {
    const refund = await t.submit('acme', 'refund');
    const { client } = await t.signIn('audit');
    const page = await client.get(`/console/t/acme/actions/${refund.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`id="card-${refund.id}"`);
    expect(page.body).not.toContain('/review"');
  });

  it("answers 404 for an action of another group, of another tenant, or under another tenant's URL", async () => {
    const refund = await t.submit('acme', 'refund');
    const foreign = await t.submit('globex', 'send_email');
    const mine = await t.submit('acme', 'send_email');
    const lead = await t.signIn('lead1');
    expect((await lead.client.get(`/console/t/acme/actions/${refund.id}`)).status).toBe(404);
    expect((await lead.client.get(`/console/t/acme/actions/${foreign.id}`)).status).toBe(404);
    expect((await lead.client.get(`/console/t/globex/actions/${foreign.id}`)).status).toBe(404);
    expect((await lead.client.get(`/console/t/acme/actions/${mine.id.slice(0, 8)}`)).status).toBe(404);
    // both@example.com audits globex and reviews acme: an acme action under globex's URL is not found.
    const both = await t.signIn('both');
    expect((await both.client.get(`/console/t/globex/actions/${mine.id}`)).status).toBe(404);
    expect((await both.client.get(`/console/t/globex/actions/${foreign.id}`)).status).toBe(200);
  });
});
