import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/domain/canonical-json.js';
import { approveClick, denySubmission, editSubmission, postInteraction } from '../support/slack-requests.js';
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
const click = async (user: string, id: string, team = 'T0ACME') => {
  const res = await postInteraction(t.app, approveClick({ user, actionId: id, team }));
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
  it('approves from a reviewer-group member: records who, updates the card without buttons, wakes ?wait', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's', body: 'b' } });
    await cardFor(a.id);
    const waiting = t.app.inject({ method: 'GET', url: `/v1/actions/${a.id}?wait=20`, headers: { authorization: t.auth } });
    await click('U0LEAD1', a.id);
    const after = (await waiting).json();
    expect(after.status).toBe('approved');
    expect(after.reviews).toEqual([expect.objectContaining({ decision: 'approve', reviewer: expect.objectContaining({ id: 'U0LEAD1', team_id: 'T0ACME', email: 'lead1@acme.test' }) })]);
    const update = await t.slack.waitForCall('chat.update', (c) => blocksText(c).includes('Approved'));
    expect(hasButtons(update)).toBe(false);
    expect(blocksText(update)).toContain('U0LEAD1');
    expect((await auditKinds(a.id)).map((r) => r.kind)).toContain('review');
  });

  it('refuses someone outside the reviewer group, the requester, and another workspace, with an ephemeral message and an audit event', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, requester: { id: 'U0LEAD2', email: 'lead2@acme.test' } });
    await cardFor(a.id);
    await click('U0STRANGER', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0STRANGER' && String(c.body.text).includes('Only members'));
    await click('U0LEAD2', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD2' && String(c.body.text).includes('You requested'));
    await click('U0GLEAD', a.id, 'T0GLOBEX');
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0GLEAD');
    expect((await t.get(a.id)).status).toBe('pending');
    const refusals = (await auditKinds(a.id)).filter((r) => r.kind === 'review_refused').map((r) => r.data.refused_because);
    expect(refusals).toEqual(['not_in_reviewer_group', 'reviewer_is_requester']);
    // The other workspace's attempt is audited in its own tenant, never in acme's.
    const globex = (await t.core.pool.query("SELECT data FROM audit_events WHERE tenant_id = 'globex' AND kind = 'review_refused'")).rows;
    expect(globex.map((r) => r.data.refused_because)).toContain('unknown_action');
  });

  it('accepts a member of the reviewer group’s Slack user group and refuses others', async () => {
    const a = await t.submit('page_oncall');
    await cardFor(a.id);
    await click('U0LEAD1', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1' && String(c.body.text).includes('Only members'));
    await click('U0ONCALL1', a.id);
    await waitFor(async () => (await t.get(a.id)).status === 'approved', { what: 'approved by the user group member' });
    expect(t.slack.calls('usergroups.users.list').map((c) => c.body.usergroup)).toContain('S0ONCALL');
  });

  it('refuses the requester matched by email', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, requester: { id: 'someone-else', email: 'LEAD1@acme.test' } });
    await cardFor(a.id);
    await click('U0LEAD1', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => String(c.body.text).includes('You requested'));
    expect((await t.get(a.id)).status).toBe('pending');
  });

  it('lets exactly one of two simultaneous clicks decide and tells the other who did', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    await Promise.all([
      postInteraction(t.app, { ...approveClick({ user: 'U0LEAD1', actionId: a.id }) }),
      postInteraction(t.app, approveClick({ user: 'U0LEAD2', actionId: a.id })),
    ]);
    const told = await t.slack.waitForCall('chat.postEphemeral', (c) => String(c.body.text).includes('Too late'));
    const action = await waitFor(async () => {
      const x = await t.get(a.id);
      return x.status === 'approved' ? x : undefined;
    });
    expect(action.reviews).toHaveLength(1);
    expect(String(told.body.text)).toContain(`<@${action.reviews[0].reviewer.id}>`);
    expect(told.body.user).not.toBe(action.reviews[0].reviewer.id);
  });

  it('renders the card again when someone clicks it after the decision (its update may have been lost)', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    await click('U0LEAD1', a.id);
    await waitFor(async () => (await t.get(a.id)).status === 'approved');
    const updates = () => t.slack.calls('chat.update').filter((c) => c.status === 200 && blocksText(c).includes('Approved') && JSON.stringify(c.body).includes(a.id));
    await waitFor(() => updates().length === 1, { what: 'the card update' });
    await click('U0LEAD2', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => String(c.body.text).includes('Too late'));
    await waitFor(() => updates().length === 2, { what: 'the card rendered again' });
  });

  it('needs a quorum of distinct approvers and shows progress on the card', async () => {
    const a = await t.submit('refund', { args: { amount: 10 } });
    await cardFor(a.id);
    await click('U0FIN1', a.id);
    await t.slack.waitForCall('chat.update', (c) => blocksText(c).includes('1 of 2'));
    await click('U0FIN1', a.id);
    await t.slack.waitForCall('chat.postEphemeral', (c) => String(c.body.text).includes('already approved'));
    expect((await t.get(a.id)).status).toBe('pending');
    await click('U0FIN2', a.id);
    await waitFor(async () => (await t.get(a.id)).status === 'approved');
    expect((await t.get(a.id)).reviews.map((r: { reviewer: { id: string } }) => r.reviewer.id)).toEqual(['U0FIN1', 'U0FIN2']);
  });

  it('denies with the reason from the modal and returns it to the agent', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    const open = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id, button: 'airlock_deny' }));
    expect(open.statusCode).toBe(200);
    const modal = await t.slack.waitForCall('views.open');
    expect(JSON.stringify(modal.body.view)).toContain('airlock_deny_modal');
    const res = await postInteraction(t.app, denySubmission({ user: 'U0LEAD1', actionId: a.id, reason: 'Wrong customer' }));
    expect(res.statusCode).toBe(200);
    const denied = await waitFor(async () => {
      const x = await t.get(a.id);
      return x.status === 'denied' ? x : undefined;
    });
    expect(denied.reviews[0]).toMatchObject({ decision: 'deny', reason: 'Wrong customer' });
    const update = await t.slack.waitForCall('chat.update', (c) => blocksText(c).includes('Wrong customer'));
    expect(hasButtons(update)).toBe(false);
  });

  it('approves with changes: the agent gets approved_args as a new version, bound by a keyed args_sha256', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 'Old subject' } });
    await cardFor(a.id);
    await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id, button: 'airlock_approve_edit' }));
    const modal = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.body.view).includes('airlock_approve_edit_modal'));
    expect(JSON.stringify(modal.body.view)).toContain('edit:subject');
    await postInteraction(t.app, editSubmission({ user: 'U0LEAD1', actionId: a.id, version: 1, edits: { subject: 'New subject' }, reason: 'fixed the subject' }));
    const approved = await waitFor(async () => {
      const x = await t.get(a.id);
      return x.status === 'approved' ? x : undefined;
    });
    expect(approved).toMatchObject({ args_version: 2, approved_args: { to: 'x@example.com', subject: 'New subject' } });
    expect(approved.args_sha256).not.toBe(a.args_sha256);
    expect(approved.reviews).toEqual([expect.objectContaining({ decision: 'approve', reason: 'fixed the subject', args_version: 2, args_sha256: approved.args_sha256 })]);
    // Keyed: not the plain SHA-256 anyone could compute (and so guess redacted values from).
    expect(approved.args_sha256).not.toBe(sha256Hex(canonicalJson(approved.approved_args)));
  });

  it('answers 401 to a bad signature or a stale timestamp and changes nothing', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    await cardFor(a.id);
    const bad = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }), { secret: 'wrong' });
    expect(bad.statusCode).toBe(401);
    const stale = await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.statusCode).toBe(401);
    const unsigned = await t.app.inject({ method: 'POST', url: '/slack/events', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'payload={}' });
    expect(unsigned.statusCode).toBe(401);
    expect((await t.get(a.id)).status).toBe('pending');
    expect((await auditKinds(a.id)).map((r) => r.kind)).toEqual(['decision']);
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
