import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, type Page } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/**
 * The inbox: what waits for a console reviewer, and deciding it through the
 * same review use case as a chat click (membership, not the requester,
 * quorum, argument versions), audited with the identity provider's identity.
 */
let t: ConsoleTestAirlock;
beforeAll(async () => {
  t = await startConsoleAirlock();
});
afterAll(() => t?.close());

const audit = async (id: string) => (await t.core.pool.query<{ kind: string; data: Record<string, any> }>('SELECT kind, data FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows;
const status = async (tenant: string, id: string) => (await t.core.actions.get(tenant, id))?.status;

/** Posts one of the forms a card in the inbox shows, as the browser would, and returns the inbox page it lands on. */
async function decide(client: ConsoleClient, tenant: string, id: string, form: Record<string, string>): Promise<Page> {
  const inbox = await client.get(`/console/t/${tenant}/inbox`);
  const sent = await client.post(`/console/t/${tenant}/actions/${id}/review`, { _csrf: ConsoleClient.csrfOf(inbox), args_version: '1', back: `/console/t/${tenant}/inbox`, ...form });
  expect(sent).toMatchObject({ status: 303, location: `/console/t/${tenant}/inbox` });
  return client.get(`/console/t/${tenant}/inbox`);
}

const flashOf = (page: Page) => /<p class="flash[^"]*" role="status">([^<]*)<\/p>/.exec(page.body)?.[1];

describe('the console inbox', () => {
  it("shows a reviewer the approvals of their groups, oldest first, as the shared card with every value escaped and redacted values masked", async () => {
    const hostile = await t.submit('acme', 'send_email', { summary: '<script>alert(1)</script> & "quotes"', args: { to: 'jane@example.com', subject: '<img src=x onerror=alert(1)>', body: 'the secret body' } });
    const refund = await t.submit('acme', 'refund');
    const { client } = await t.signIn('lead1');
    const page = await client.get('/console/t/acme/inbox');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`id="card-${hostile.id}"`);
    expect(page.body).not.toContain(refund.id);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toMatch(/<script>alert|<img src=x/);
    expect(page.body).toContain('[redacted]');
    expect(page.body).not.toContain('the secret body');
    expect(page.body).toContain('IRREVERSIBLE');
    // The forms carry the argument version the card shows, and an irreversible approval asks to be confirmed.
    expect(page.body).toMatch(/name="args_version" value="1"/);
    expect(page.body).toMatch(/type="checkbox" id="confirm-[^"]+" name="confirmed" value="yes" required/);
    expect(page.body).toContain('Approve with changes');
  });

  it('approves and denies through the review use case; the audit trail names the IdP identity', async () => {
    const a = await t.submit('acme', 'send_email');
    const b = await t.submit('acme', 'send_email');
    const { client } = await t.signIn('lead1');

    const approved = await decide(client, 'acme', a.id, { decision: 'approve', confirmed: 'yes', reason: 'checked with Jane' });
    expect(flashOf(approved)).toBe(`Approved: send_email (${a.id}).`);
    expect(approved.body).not.toContain(`id="card-${a.id}"`);
    expect(await status('acme', a.id)).toBe('approved');
    const review = (await audit(a.id)).find((e) => e.kind === 'review')!;
    expect(review.data.reviewer).toEqual({ platform: 'console', user_id: 'lead1@acme.example', team_id: 'acme', email: 'lead1@acme.example' });
    expect(review.data.reason).toBe('checked with Jane');

    expect(flashOf(await decide(client, 'acme', b.id, { decision: 'deny', reason: '' }))).toBe('A reason is required to deny.');
    expect(await status('acme', b.id)).toBe('pending');
    expect(flashOf(await decide(client, 'acme', b.id, { decision: 'deny', reason: 'wrong customer' }))).toBe(`Denied: send_email (${b.id}).`);
    expect(await status('acme', b.id)).toBe('denied');

    // A second click on a decided action is told who decided.
    expect(flashOf(await decide(client, 'acme', a.id, { decision: 'approve', confirmed: 'yes' }))).toContain('Too late: this action was already approved by Lead One');
  });

  it('refuses the requester, and anyone outside the reviewer group, and audits each refusal', async () => {
    const mine = await t.submit('acme', 'send_email', { requester: { id: 'U0LEAD1', email: 'Lead1@acme.example' } });
    const lead = await t.signIn('lead1');
    expect(flashOf(await decide(lead.client, 'acme', mine.id, { decision: 'approve', confirmed: 'yes' }))).toBe('You requested this action, so someone else has to decide it.');

    const refund = await t.submit('acme', 'refund');
    expect(flashOf(await decide(lead.client, 'acme', refund.id, { decision: 'approve' }))).toBe('Only members of the finance group can decide this action.');

    expect(await status('acme', mine.id)).toBe('pending');
    expect(await status('acme', refund.id)).toBe('pending');
    expect((await audit(mine.id)).filter((e) => e.kind === 'review_refused').map((e) => e.data.refused_because)).toEqual(['reviewer_is_requester']);
    expect((await audit(refund.id)).filter((e) => e.kind === 'review_refused').map((e) => e.data.refused_because)).toEqual(['not_in_reviewer_group']);
  });

  it('takes a member by IdP group, and records the group that made them one', async () => {
    const a = await t.submit('acme', 'send_email');
    const { client } = await t.signIn('lead2');
    expect(flashOf(await decide(client, 'acme', a.id, { decision: 'approve', confirmed: 'yes' }))).toBe(`Approved: send_email (${a.id}).`);
    const review = (await audit(a.id)).find((e) => e.kind === 'review')!;
    // Only the groups the policy names are kept: not `everyone`.
    expect(review.data.reviewer).toMatchObject({ platform: 'console', user_id: 'lead2@acme.example', groups: ['support-leads'] });
  });

  it('needs distinct approvers for a quorum', async () => {
    const refund = await t.submit('acme', 'refund');
    const fin1 = await t.signIn('fin1');
    expect(flashOf(await decide(fin1.client, 'acme', refund.id, { decision: 'approve' }))).toBe(`Your approval of refund (${refund.id}) counted: 1 of 2 approvals.`);
    expect(flashOf(await decide(fin1.client, 'acme', refund.id, { decision: 'approve' }))).toContain('You already approved this version of the arguments');
    expect(await status('acme', refund.id)).toBe('pending');
    const fin2 = await t.signIn('fin2');
    expect(flashOf(await decide(fin2.client, 'acme', refund.id, { decision: 'approve' }))).toBe(`Approved: refund (${refund.id}).`);
  });

  it('approves with changes to editable arguments, and refuses an approval of arguments it was not shown', async () => {
    const a = await t.submit('acme', 'send_email');
    const { client } = await t.signIn('lead1');
    expect(flashOf(await decide(client, 'acme', a.id, { decision: 'approve', confirmed: 'yes', 'edit:subject': 'Your refund is on its way', 'edit:to': '' }))).toBe(`Approved: send_email (${a.id}).`);
    const action = await t.core.actions.get('acme', a.id);
    expect(action?.approvedArgs).toMatchObject({ to: 'jane@example.com', subject: 'Your refund is on its way' });
    expect(action?.argsVersion).toBe(2);

    const b = await t.submit('acme', 'send_email');
    expect(flashOf(await decide(client, 'acme', b.id, { decision: 'approve', confirmed: 'yes', args_version: '2' }))).toContain('The arguments changed since you looked');
    expect(await status('acme', b.id)).toBe('pending');
  });

  it("never reaches another tenant's action: 404 under a tenant the person has no role in, not found under their own", async () => {
    const foreign = await t.submit('globex', 'send_email');
    const lead = await t.signIn('lead1');
    const inbox = await lead.client.get('/console/t/acme/inbox');
    const csrf = ConsoleClient.csrfOf(inbox);
    const form = { _csrf: csrf, decision: 'approve', confirmed: 'yes', args_version: '1', back: '/console/t/acme/inbox' };
    expect((await lead.client.post(`/console/t/globex/actions/${foreign.id}/review`, form)).status).toBe(404);
    expect((await lead.client.get('/console/t/globex/inbox')).status).toBe(404);
    expect(flashOf(await decide(lead.client, 'acme', foreign.id, { decision: 'approve', confirmed: 'yes' }))).toBe('This action does not exist in your workspace’s tenant.');
    expect(await status('globex', foreign.id)).toBe('pending');

    // globex's own reviewer sees it in globex's inbox.
    const boss = await t.signIn('boss');
    expect(boss.page.body).toContain(`id="card-${foreign.id}"`);
  });
});
