import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, type Page } from '../support/console-client.js';
import { startConsoleAirlock, type ConsoleTestAirlock } from '../support/console-airlock.js';

/**
 * The policy page: the live version, active overrides, review dates and the
 * shadow report for auditors and admins; admin commands from it go through
 * the same use case as `/airlock` in chat, only for admins, with CSRF.
 */
let t: ConsoleTestAirlock;
beforeAll(async () => {
  t = await startConsoleAirlock({ policyFile: 'test/fixtures/console-oversight-policy.yml', env: { POLICY_SHADOW_FILE: 'test/fixtures/console-oversight-shadow.yml' } });
});
afterAll(() => t?.close());

const flashOf = (page: Page) => /<p class="flash[^"]*" role="status">([^<]*)<\/p>/.exec(page.body)?.[1];
const overrides = () => t.core.overrides.get('acme');
const adminEvents = async () =>
  (await t.core.pool.query<{ kind: string; data: Record<string, any> }>("SELECT kind, data FROM audit_events WHERE tenant_id = 'acme' AND kind IN ('admin_change', 'admin_refused') ORDER BY id")).rows;

/** Sends one of the page's forms, as a browser would, and returns the policy page it lands on. */
async function command(client: ConsoleClient, form: Record<string, string>): Promise<Page> {
  const page = await client.get('/console/t/acme/policy');
  const sent = await client.post('/console/t/acme/policy/command', { _csrf: ConsoleClient.csrfOf(page), ...form });
  expect(sent).toMatchObject({ status: 303, location: '/console/t/acme/policy' });
  return client.get('/console/t/acme/policy');
}

describe('the console policy page', () => {
  it('shows an auditor the live version and file hash, overrides, review dates and the shadow report, with no admin form', async () => {
    await t.submit('acme', 'read');
    await t.submit('acme', 'read');
    const { client } = await t.signIn('auditor');
    const page = await client.get('/console/t/acme/policy');
    expect(page.status).toBe(200);
    const policy = t.core.policy.current();
    expect(page.body).toContain(`<code>${policy.fileVersion}.${(await overrides()).version}</code>`);
    expect(page.body).toContain(`<dt>File hash</dt><dd><code>${policy.fileVersion}</code>`);
    expect(page.body).toMatch(/<strong class="state-on">overdue<\/strong> 2020-01-01<\/td><td><code>tools\.read<\/code><\/td><td>test-owners<\/td>/);
    expect(page.body).toMatch(/on 2 requests it <strong>is only stricter<\/strong>/);
    expect(page.body).toMatch(/<td>allow<\/td><td>deny<\/td><td>stricter<\/td><td class="num">2<\/td><td><code>read<\/code> 2<\/td>/);
    expect(page.body).not.toContain('name="command"');
    expect(page.body).toContain('You read this page as an auditor');
  });

  it("refuses an auditor's command, audits the refusal with their identity, and changes nothing", async () => {
    const before = await overrides();
    const { client } = await t.signIn('auditor');
    const page = await command(client, { command: 'deny-tool', tool: 'send_email', reason: 'trying' });
    expect(flashOf(page)).toBe('Only admins of tenant acme can run Airlock admin commands.');
    expect((await overrides()).version).toBe(before.version);
    expect((await overrides()).deniedTools.size).toBe(0);
    const refused = (await adminEvents()).at(-1)!;
    expect(refused).toMatchObject({ kind: 'admin_refused', data: { admin: { platform: 'console', user_id: 'audit@acme.example', email: 'audit@acme.example' }, refused_because: 'not_an_admin' } });
  });

  it('is not found for a reviewer, whose command changes nothing either; a POST without the CSRF token is refused', async () => {
    const lead = await t.signIn('lead1');
    expect((await lead.client.get('/console/t/acme/policy')).status).toBe(404);
    const inbox = await lead.client.get('/console/t/acme/inbox');
    const sent = await lead.client.post('/console/t/acme/policy/command', { _csrf: ConsoleClient.csrfOf(inbox), command: 'incident-on', reason: 'x' });
    expect(sent.status).toBe(404);
    const admin = await t.signIn('admin');
    const forged = await admin.client.post('/console/t/acme/policy/command', { command: 'incident-on', reason: 'from another site' });
    expect(forged.status).toBe(403);
    expect((await overrides()).incident.on).toBe(false);
    expect((await adminEvents()).filter((e) => e.kind === 'admin_change')).toHaveLength(0);
  });

  it("runs an admin's commands through the admin use case: the pending approvals a denial covers end, and each change is audited with the IdP identity", async () => {
    const pending = await t.submit('acme', 'send_email');
    const { client } = await t.signIn('admin');
    const denied = await command(client, { command: 'deny-tool', tool: 'send_email', reason: 'mail vendor incident' });
    expect(flashOf(denied)).toMatch(/^Denied send_email for tenant acme \(policy [0-9a-f]+\.1\)\. 1 pending approval\(s\) ended\.$/);
    expect(denied.body).toMatch(/<th scope="row"><code>send_email<\/code><\/th><td>console user ops@acme.example<\/td><td><time datetime="[^"]+">[^<]+<\/time><\/td><td>mail vendor incident<\/td>/);
    expect((await t.core.actions.get('acme', pending.id))?.status).toBe('denied');
    const change = (await adminEvents()).find((e) => e.kind === 'admin_change' && e.data.command)!;
    expect(change).toMatchObject({ kind: 'admin_change', data: { admin: { platform: 'console', user_id: 'ops@acme.example', team_id: 'acme', email: 'ops@acme.example' }, command: { kind: 'deny-tool', tool: 'send_email' }, reason: 'mail vendor incident' } });

    const allowed = await command(client, { command: 'allow-tool', tool: 'send_email' });
    expect(flashOf(allowed)).toMatch(/^send_email is no longer denied/);
    expect((await overrides()).deniedTools.size).toBe(0);

    expect(flashOf(await command(client, { command: 'mode', tool: 'refund', mode: 'observe' }))).toMatch(/^refund now runs in mode observe/);
    expect((await overrides()).toolModes.get('refund')).toBe('observe');
    expect(flashOf(await command(client, { command: 'mode', tool: 'refund', mode: 'policy' }))).toMatch(/^refund follows the policy file again/);

    const on = await command(client, { command: 'incident-on', reason: 'breach drill' });
    expect(flashOf(on)).toMatch(/^Incident mode is on for acme/);
    expect(on.body).toMatch(/<dt>Incident mode<\/dt><dd><span class="state-on">ON<\/span><\/dd><dd class="sub">since <time[^>]*>[^<]*<\/time>: breach drill<\/dd>/);
    expect(flashOf(await command(client, { command: 'incident-off' }))).toMatch(/^Incident mode is off for acme/);
    expect((await overrides()).incident.on).toBe(false);
  });

  it('refuses a form whose names would smuggle in more words, and one for an unknown tool, changing nothing', async () => {
    const { client } = await t.signIn('admin');
    const before = (await overrides()).version;
    const page = await client.get('/console/t/acme/policy');
    const sent = await client.post('/console/t/acme/policy/command', { _csrf: ConsoleClient.csrfOf(page), command: 'mode', tool: 'refund allow', mode: 'policy' });
    expect(sent.status).toBe(400);
    expect(flashOf(await command(client, { command: 'deny-tool', tool: 'no_such_tool' }))).toBe('Unknown tool no_such_tool.');
    expect((await overrides()).version).toBe(before);
  });

  it('takes an admin by IdP group: the page shows them the admin form and their command runs, audited with their IdP identity; a reviewer whose token lacks the group is refused', async () => {
    const { client } = await t.signIn('groupAdmin');
    const page = await client.get('/console/t/acme/policy');
    expect(page.status).toBe(200);
    expect(page.body).toContain('name="command"');
    expect(page.body).not.toContain('You read this page as an auditor');

    const denied = await command(client, { command: 'deny-tool', tool: 'refund', reason: 'finance audit' });
    expect(flashOf(denied)).toMatch(/^Denied refund for tenant acme/);
    expect((await overrides()).deniedTools.has('refund')).toBe(true);
    const change = (await adminEvents()).at(-1)!;
    // Only the groups the policy names are kept from the token: not `everyone`.
    expect(change).toMatchObject({ kind: 'admin_change', data: { admin: { platform: 'console', user_id: 'pat@acme.example', team_id: 'acme', email: 'pat@acme.example', groups: ['platform-admins'] }, command: { kind: 'deny-tool', tool: 'refund' }, reason: 'finance audit' } });
    expect(flashOf(await command(client, { command: 'allow-tool', tool: 'refund' }))).toMatch(/^refund is no longer denied/);

    // lead2's token carries groups (support-leads, everyone), not platform-admins: a reviewer here, no more.
    const before = await adminEvents();
    const lead = await t.signIn('lead2');
    expect((await lead.client.get('/console/t/acme/policy')).status).toBe(404);
    const inbox = await lead.client.get('/console/t/acme/inbox');
    expect(inbox.status).toBe(200);
    const sent = await lead.client.post('/console/t/acme/policy/command', { _csrf: ConsoleClient.csrfOf(inbox), command: 'deny-tool', tool: 'refund', reason: 'not mine to do' });
    expect(sent.status).toBe(404);
    expect((await overrides()).deniedTools.size).toBe(0);
    expect(await adminEvents()).toHaveLength(before.length);
  });
});
