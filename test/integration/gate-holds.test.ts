import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slashCommand } from '../support/slack-command.js';
import { approveClick, editSubmission, postInteraction } from '../support/slack-requests.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The gate holds: admin overrides win over clicks, approvals bind to the
 * arguments the approver saw, and nothing shown in chat is left unescaped.
 * Driven through signed Slack requests and the HTTP API, as users would.
 */
let t: SlackTestAirlock;

beforeAll(async () => {
  t = await startSlackAirlock();
});
afterAll(() => t.close());
beforeEach(() => t.slack.reset());

const command = (text: string) => slashCommand(t, text);
const cardFor = (id: string, channel?: string) =>
  t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && (!channel || c.body.channel === channel) && JSON.stringify(c.body.metadata ?? '').includes(id));
const click = async (user: string, id: string, version?: number) => {
  expect((await postInteraction(t.app, approveClick({ user, actionId: id, version }))).statusCode).toBe(200);
};
const edit = async (user: string, id: string, version: number, edits: Record<string, string>) => {
  expect((await postInteraction(t.app, editSubmission({ user, actionId: id, version, edits }))).statusCode).toBe(200);
};
const told = async (user: string, contains: string) =>
  String((await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === user && String(c.body.text).includes(contains))).body.text);
const until = (id: string, check: (a: Record<string, any>) => boolean, what: string) =>
  waitFor(async () => {
    const a = await t.get(id);
    return check(a) ? a : undefined;
  }, { what });
const overridesVersion = async () => Number((await t.core.pool.query("SELECT version FROM tenant_overrides WHERE tenant_id = 'acme'")).rows[0].version);
const email = { args: { to: 'x@example.com', subject: 's' } };

describe('admin overrides win at review time', () => {
  it.each([
    ['kill-agent bot runaway loop', 'revive-agent bot', 'denied'],
    ['deny-tool send_email leaked', 'allow-tool send_email', 'denied'],
    ['incident on breach', 'incident off', 'decided'],
  ])('no approval counts once `%s` has answered: every covered approval already ended', async (on, off, status) => {
    const actions = await Promise.all(Array.from({ length: 20 }, () => t.submit('send_email', email)));
    await Promise.all(actions.map((a) => cardFor(a.id)));
    try {
      expect(await command(on)).toMatch(/\d+ pending approval\(s\) ended/);
      await Promise.all(actions.map((a) => click('U0LEAD1', a.id, 1)));
      await told('U0LEAD1', 'Too late');
      for (const a of actions) {
        const after = await t.get(a.id);
        expect(after.status).toBe(status);
        expect(after.reviews).toBeUndefined();
      }
    } finally {
      await command(off);
    }
  });

  it('a click on an approval the override missed ends it by the override instead of approving it', async () => {
    const a = await t.submit('send_email', email);
    await cardFor(a.id);
    // An override in force whose bulk end never saw this action: only the review-time check stands between the click and an approval.
    await t.core.pool.query(`UPDATE tenant_overrides SET version = version + 1, killed_agents = killed_agents || '{"bot": {"reason": "straggler"}}' WHERE tenant_id = 'acme'`);
    try {
      await click('U0LEAD1', a.id, 1);
      expect(await told('U0LEAD1', 'admin override')).toContain('straggler');
      const after = await t.get(a.id);
      expect(after).toMatchObject({ status: 'denied', rule: 'overrides.kill_agent' });
      expect(after.reviews).toBeUndefined();
    } finally {
      await t.core.pool.query(`UPDATE tenant_overrides SET version = version + 1, killed_agents = killed_agents - 'bot' WHERE tenant_id = 'acme'`);
    }
  });

  it('mode <tool> off denies what a when rule would allow and ends its approvals; mode <tool> policy restores the file', async () => {
    expect(await t.submit('big_refund', { args: { amount_cents: 500 } })).toMatchObject({ decision: 'allow', rule: 'tools.big_refund.when[1]' });
    const pending = await t.submit('big_refund', { args: { amount_cents: 5000 } });
    try {
      expect(await command('mode big_refund off')).toContain('1 pending approval(s) ended');
      expect(await t.submit('big_refund', { args: { amount_cents: 500 } })).toMatchObject({ decision: 'deny', rule: 'overrides.mode' });
      expect(await t.get(pending.id)).toMatchObject({ status: 'denied', rule: 'overrides.mode' });
      expect(await command('status')).toContain('big_refund=off');
    } finally {
      expect(await command('mode big_refund policy')).toContain('follows the policy file again');
    }
    expect(await t.submit('big_refund', { args: { amount_cents: 500 } })).toMatchObject({ decision: 'allow', rule: 'tools.big_refund.when[1]' });
    expect(await command('status')).toContain('Runtime modes: none');
  });

  it('refuses admin commands naming constructor, hasOwnProperty or __proto__ and leaves the policy version alone', async () => {
    const before = await overridesVersion();
    expect(await command('deny-tool constructor')).toContain('Unknown tool');
    expect(await command('kill-agent hasOwnProperty')).toContain('Unknown agent');
    expect(await command('mode __proto__ allow')).toContain('Unknown tool');
    expect(await overridesVersion()).toBe(before);
  });
});

describe('approvals bind to the arguments the approver saw', () => {
  it.each([
    [{ amount_cents: '99999999' }, 'does not allow'],
    [{ amount_cents: '{"cents": 1}' }, 'must stay a number'],
    [{ amount_cents: '0' }, "tool's schema"],
    [{ memo: 'x'.repeat(150) }, "tool's schema"],
    [{ to: 'elsewhere' }, 'not editable'],
  ])('refuses the edit %j and leaves the action as it was', async (edits, why) => {
    const a = await t.submit('big_refund', { args: { amount_cents: 5000 } });
    await cardFor(a.id);
    await edit('U0FIN1', a.id, 1, edits);
    await told('U0FIN1', why);
    const after = await t.get(a.id);
    expect(after).toMatchObject({ status: 'pending', args_version: 1 });
    expect(after.reviews).toBeUndefined();
  });

  it('opens the edit form on the arguments as they stand, and not on a card that is out of date', async () => {
    const a = await t.submit('big_refund', { args: { amount_cents: 5000, memo: 'first' } });
    await cardFor(a.id);
    await edit('U0FIN1', a.id, 1, { memo: 'second' });
    await until(a.id, (x) => x.args_version === 2, 'version 2');
    await postInteraction(t.app, approveClick({ user: 'U0FIN2', actionId: a.id, version: 2, button: 'airlock_approve_edit' }));
    const form = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.body.view).includes('airlock_approve_edit_modal'));
    expect(JSON.stringify(form.body.view)).toContain('"initial_value":"second"');
    expect(JSON.parse(String((form.body.view as { private_metadata: string }).private_metadata))).toMatchObject({ argsVersion: 2 });
    await postInteraction(t.app, approveClick({ user: 'U0FIN3', actionId: a.id, version: 1, button: 'airlock_approve_edit' }));
    await told('U0FIN3', 'arguments changed');
  });
});

describe('redacted values never leave, and the binding is honest', () => {
  const report = (id: string, args: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/v1/actions/${id}/result`, headers: { authorization: t.auth }, payload: { outcome: 'succeeded', args } });

  it('after an approve-with-changes, the honest agent matches and a changed redacted or edited value is a violation', async () => {
    const submitted = { pin: '4821', note: 'before' };
    const actions = await Promise.all([1, 2, 3].map(() => t.submit('set_pin', { args: submitted })));
    for (const a of actions) {
      await cardFor(a.id);
      await edit('U0LEAD1', a.id, 1, { note: 'after' });
    }
    const approved = await Promise.all(actions.map((a) => until(a.id, (x) => x.status === 'approved', 'approved with changes')));
    expect(approved[0]!.approved_args).toEqual({ pin: '[redacted]', note: 'after' });
    const honest = (await report(actions[0]!.id, { pin: '4821', note: 'after' })).json();
    expect(honest.result).toMatchObject({ args_check: 'match', violation: null });
    const pinChanged = (await report(actions[1]!.id, { pin: '0000', note: 'after' })).json();
    expect(pinChanged.result).toMatchObject({ args_check: 'mismatch', violation: expect.stringContaining('a redacted argument') });
    const noteOld = (await report(actions[2]!.id, { pin: '4821', note: 'before' })).json();
    expect(noteOld.result).toMatchObject({ args_check: 'mismatch', violation: expect.stringContaining('note') });
    const stored = JSON.stringify((await t.core.pool.query('SELECT a.*, (SELECT json_agg(e.data) FROM audit_events e WHERE e.action_id = a.id) FROM actions a WHERE a.id = ANY($1)', [actions.map((a) => a.id)])).rows);
    expect(stored).not.toContain('4821');
    expect(stored).not.toContain('0000');
    expect(JSON.stringify([honest, pinChanged, noteOld])).not.toMatch(/4821|0000/);
  });
});

describe('who may approve', () => {
  it('starts a fresh quorum after escalation: a first-round approval does not count for the escalation group', async () => {
    const a = await t.submit('quorum_escalate');
    await cardFor(a.id, 'C0LEADS');
    await click('U0LEAD1', a.id, 1);
    await until(a.id, (x) => x.reviews?.length === 1, 'the first-round approval');
    await cardFor(a.id, 'C0FIN');
    await click('U0FIN1', a.id, 1);
    const one = await until(a.id, (x) => x.reviews?.length === 2, 'the escalation round’s first approval');
    expect(one.status).toBe('pending');
    await click('U0FIN2', a.id, 1);
    const approved = await until(a.id, (x) => x.status === 'approved', 'approved by the escalation group');
    expect(approved.reviews.filter((r: any) => r.round === 1).map((r: any) => r.reviewer.id)).toEqual(['U0FIN1', 'U0FIN2']);
  });
});

describe('everything shown in chat is escaped', () => {
  it('posts the incident notice with the admin’s reason as text, never as a mention or a link', async () => {
    await command('incident on <!channel> see <https://evil.example|click me>');
    const notice = String((await t.slack.waitForCall('chat.postMessage', (c) => c.body.channel === 'C0LEADS' && String(c.body.text).includes('Incident mode is ON'))).body.text);
    expect(notice).not.toContain('<!channel>');
    expect(notice).not.toContain('<https://evil.example');
    expect(notice).toContain('&lt;!channel&gt;');
    expect(await command('status')).toContain('&lt;!channel&gt;');
    await command('incident off');
  });

  it('makes bidi controls and zero-width characters visible on the card', async () => {
    const a = await t.submit('send_email', { summary: 'Pay account 12\u202E34\u200B56', args: { to: 'x@example.com', subject: 'In\u2066voice' } });
    const card = JSON.stringify((await cardFor(a.id)).body);
    expect(card).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(card).toContain('12[U+202E]34[U+200B]56');
    expect(card).toContain('In[U+2066]voice');
  });

  it('does not prefill the edit form with a value carrying bidi controls or zero-width characters', async () => {
    const a = await t.submit('big_refund', { args: { amount_cents: 5000, memo: 'acct 12\u202E34\u200B56' } });
    await cardFor(a.id);
    await postInteraction(t.app, approveClick({ user: 'U0FIN2', actionId: a.id, version: 1, button: 'airlock_approve_edit' }));
    const form = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.body.view).includes(a.id));
    const view = JSON.stringify(form.body.view);
    expect(view).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    expect(view).not.toContain('"initial_value":"acct');
    expect(view).toContain('invisible or direction-changing characters');
  });
});

describe('templates', () => {
  it('renders a consequence over an array instead of failing the request', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/actions',
      headers: { authorization: t.auth },
      payload: { tool: 'sync_record', args: { record: [1, 2, 3] }, requester: { id: 'U0SAM', display: 'Sam' } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().decision).toBe('allow');
  });
});
