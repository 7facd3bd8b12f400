import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approveClick, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

let t: SlackTestAirlock;

beforeAll(async () => {
  t = await startSlackAirlock();
});
afterAll(() => t.close());
beforeEach(() => t.slack.reset());

const cardFor = (id: string) => t.slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(id));
const blocksText = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body.blocks);
const hasButtons = (call: { body: Record<string, unknown> }) => (call.body.blocks as { type: string }[]).some((b) => b.type === 'actions');
const auditKinds = async (id: string) => (await t.core.pool.query('SELECT kind, data FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows;
const click = async (user: string, id: string) => {
  const res = await postInteraction(t.app, approveClick({ user, actionId: id }));
  expect(res.statusCode).toBe(200);
};

describe('dispatch', () => {
  it('posts one card to the reviewer channel with the consequence, masked arguments and buttons, even when enqueued twice', async () => {
    const a = await t.submit('send_email', { args: { to: 'jane@example.com', subject: 'Refund', body: 'SECRET-BODY' } });
    const card = await cardFor(a.id);
    expect(card.body.channel).toBe('C0LEADS');
    expect(card.token).toBe('xoxb-test-token');
    const text = blocksText(card);
    expect(text).toContain('Emails jane@example.com');
    expect(text).toContain('IRREVERSIBLE');
    expect(text).not.toContain('SECRET-BODY');
    expect(hasButtons(card)).toBe(true);
    const stored = (await t.core.actions.get('acme', a.id))!;
    await t.approvals.dispatcher.actionQueued(stored);
    await t.approvals.jobs.repostCard({ tenant: 'acme', actionId: a.id, round: 0, platform: 'slack' });
    // Let both duplicate jobs run (or be deduplicated), then count.
    await waitFor(async () => (await t.core.queues.queue('airlock-cards').getJobCounts('waiting', 'active')).waiting === 0);
    await waitFor(async () => (await t.core.pool.query("SELECT state FROM action_cards WHERE action_id = $1", [a.id])).rows[0]?.state === 'posted');
    expect(t.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.body.metadata).includes(a.id))).toHaveLength(1);
  });

  it('fills every request field a consequence may name on the card, instead of showing ?', async () => {
    const a = await t.submit('post_notice', { workflow: 'billing-close', environment: 'staging', context: { ticket: 'OPS-7' } });
    const text = blocksText(await cardFor(a.id));
    expect(text).toContain('bot of acme runs post_notice in staging for billing-close, asked by sam@acme.test: OPS-7');
    expect((await t.get(a.id)).status).toBe('pending');
  });
});

describe('saturation', () => {
  it('serves no Teams endpoint unless TEAMS_APP_ID and TEAMS_APP_PASSWORD are set', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/messages', headers: { 'content-type': 'application/json' }, payload: { type: 'message', text: 'hi' } });
    expect(res.statusCode).toBe(404);
  });

  it('falls back once the reviewer group has max_pending open approvals', async () => {
    expect((await t.submit('tiny_queue')).decision).toBe('queue_for_approval');
    expect((await t.submit('tiny_queue')).decision).toBe('queue_for_approval');
    const third = await t.submit('tiny_queue');
    expect(third).toMatchObject({ decision: 'fallback', mode: 'draft_write', rule: 'tenants.acme.reviewer_groups.tiny.max_pending' });
  });
});

describe('clicks', () => {
  it('accepts a member of the reviewer group’s Slack user group and refuses others', async () => {
    const a = await t.submit('page_oncall');
    await cardFor(a.id);
    await click('U0LEAD1', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1' && String(c.body.text).includes('Only members'));
    await click('U0ONCALL1', a.id);
    await waitFor(async () => (await t.get(a.id)).status === 'approved', { what: 'approved by the user group member' });
    expect(t.slack.calls('usergroups.users.list').map((c) => c.body.usergroup)).toContain('S0ONCALL');
  });

  // Shared with Teams (approval-conformance.ts): a reason returned to the agent, changes approved as a new version.
  // Slack's own step is the modal a button opens to ask for them.
  it('opens a modal asking for the reason when Deny is clicked, and decides nothing until it is submitted', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    const open = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id, button: 'airlock_deny' }));
    expect(open.statusCode).toBe(200);
    const modal = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.body.view).includes('airlock_deny_modal'));
    expect(JSON.stringify(modal.body.view)).toContain('"action_id":"reason_input"');
    expect((await t.get(a.id)).status).toBe('pending');
  });

  it('opens a modal with a field per editable argument when Approve with changes is clicked', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 'Old subject' } });
    await cardFor(a.id);
    await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id, button: 'airlock_approve_edit' }));
    const modal = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.body.view).includes('airlock_approve_edit_modal'));
    expect(JSON.stringify(modal.body.view)).toContain('edit:subject');
    expect(JSON.stringify(modal.body.view)).not.toContain('edit:to');
    expect((await t.get(a.id)).status).toBe('pending');
  });

  it('answers 401 to a bad signature or a stale timestamp and changes nothing', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    await waitFor(async () => (await auditKinds(a.id)).some((r) => r.kind === 'card_posted'), { what: 'the card’s audit event' });
    const bad = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }), { secret: 'wrong' });
    expect(bad.statusCode).toBe(401);
    const stale = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.statusCode).toBe(401);
    const unsigned = await t.app.inject({ method: 'POST', url: '/slack/events', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'payload={}' });
    expect(unsigned.statusCode).toBe(401);
    expect((await t.get(a.id)).status).toBe('pending');
    expect((await auditKinds(a.id)).map((r) => r.kind)).toEqual(['decision', 'card_posted']);
  });

  it('acks an interaction before doing the work', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    // users.info (email lookup, the first step of the work) never answers: an ack that
    // waited for the work would never come, and this test would time out.
    t.slack.hangNext('users.info');
    const res = await postInteraction(t.app, approveClick({ user: 'U0FIN3', actionId: a.id }));
    expect(res.statusCode).toBe(200);
    await t.slack.waitForCall('users.info', (c) => c.body.user === 'U0FIN3');
    expect((await t.get(a.id)).status).toBe('pending');
  });
});
