import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET, approveClick, postInteraction } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Approvals are decided against the policy as it is now: a reload that takes
 * away what a pending approval stands on (the agent, the tool, the tool in
 * the agent's list, the environment, the reviewer group, a tool switched off)
 * ends it, and a click that reaches a process already reading such a policy
 * is refused and ends it too.
 */
const ORIGINAL = readFileSync('test/fixtures/approval-policy.yml', 'utf8');
const withoutSendEmail = (p: string) => p.replace('tools: [send_email, refund', 'tools: [refund');
/** The oncall reviewer group removed; page_oncall, which it reviewed, goes to security. */
const withoutOncall = (p: string) =>
  p
    .replace(/^\s+oncall: \{ slack: \{ channel: C0ONCALL, usergroup: S0ONCALL \} \}\n/m, '')
    .replace('approval: { reviewers: oncall, timeout: 1h }', 'approval: { reviewers: security, timeout: 1h }');

let dir: string;
let policyFile: string;
let t: SlackTestAirlock;
let receiver: Server;
const received: { body: string }[] = [];

beforeAll(async () => {
  // Copies the tests rewrite: the fixture is shared with other test files.
  dir = mkdtempSync(join(tmpdir(), 'airlock-policy-reload-'));
  policyFile = join(dir, 'policy.yml');
  writeFileSync(policyFile, ORIGINAL);
  // The callback receiver below listens on loopback.
  t = await startSlackAirlock({ policyFile, env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' } });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});
// Every test starts from the policy the server started with.
afterEach(async () => {
  writeFileSync(policyFile, ORIGINAL);
  await t.core.reloadPolicy();
});

/** Rewrites the server's policy file and reloads it, as SIGHUP does. */
const reload = async (edit: (p: string) => string) => {
  writeFileSync(policyFile, edit(ORIGINAL));
  await t.core.reloadPolicy();
};
const email = { args: { to: 'x@example.com', subject: 's' } };
const cardFor = (id: string) => t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id));
const until = (id: string, status: string) =>
  waitFor(async () => {
    const a = await t.get(id);
    return a.status === status ? a : undefined;
  }, { what: `status ${status}` });
/** Resolves once the action's card was updated to show `text`. */
const cardUpdated = async (id: string, text: string) => {
  const post = await cardFor(id);
  const ts = t.slack.messages(String(post.body.channel)).find((m) => JSON.stringify(m.metadata ?? '').includes(id))?.ts;
  await t.slack.waitForCall('chat.update', (c) => c.body.ts === ts && JSON.stringify(c.body.blocks).includes(text), 15_000);
};
const kinds = async (id: string) => (await t.core.pool.query('SELECT kind, data FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows;

describe('a policy reload', () => {
  it('denies a pending approval whose tool left the agent’s list, tells the agent why, calls it back and audits it', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/airlock`;
    const a = await t.submit('send_email', { ...email, callback_url: url });
    await cardFor(a.id);
    await waitFor(async () => (await kinds(a.id)).some((e) => e.kind === 'card_posted'), { what: 'the card’s audit event' });
    await reload(withoutSendEmail);

    const ended = await until(a.id, 'denied');
    expect(ended).toMatchObject({ decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_tools' });
    expect(ended.reasons.at(-1)).toBe(ended.outcome_detail);
    expect(ended.outcome_detail).toContain('send_email is no longer in the tool list of agent bot');
    expect(ended.policy_version).not.toBe(a.policy_version);
    await cardUpdated(a.id, 'no longer in the tool list');

    const callback = await waitFor(() => received.find((r) => r.body.includes(a.id)), { timeoutMs: 20_000, what: 'the callback' });
    expect(JSON.parse(callback.body)).toMatchObject({ id: a.id, status: 'denied', rule: 'hard_boundary.agent_tools', outcome_detail: ended.outcome_detail });
    await waitFor(async () => (await kinds(a.id)).some((e) => e.kind === 'callback_delivered'), { what: 'the callback’s audit event' });
    const events = await kinds(a.id);
    expect(events.map((e) => e.kind)).toEqual(['decision', 'card_posted', 'admin_change', 'callback_delivered']);
    expect(events[2].data).toMatchObject({ status: 'denied', final_decision: 'deny', cause: 'policy_reload', admin: { policy_file: expect.any(String) } });

    // The click on a card that still had its buttons cannot bring it back.
    await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }));
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1' && String(c.body.text).includes('Too late'), 15_000);
    expect((await t.get(a.id)).status).toBe('denied');
  });

  it('ends approvals whose tool was switched off or whose reviewer group was removed, and leaves the others waiting', async () => {
    const off = await t.submit('slow_deny');
    const orphaned = await t.submit('page_oncall');
    const untouched = await t.submit('send_email', email);
    await reload((p) => withoutOncall(p).replace(/(slow_deny:\n(?:\s+(?:owner|risk): .*\n)+\s+mode: )approval_required/, '$1off'));

    expect((await until(off.id, 'denied')).outcome_detail).toContain('slow_deny is switched off (mode off)');
    expect((await until(orphaned.id, 'denied')).outcome_detail).toContain('reviewer group oncall is no longer in the policy');
    expect((await t.get(untouched.id)).status).toBe('pending');
  });
});

describe('a review under a policy that no longer permits the action', () => {
  it('refuses a Slack click in a process that reads the new policy, tells the reviewer why, audits the refusal and ends the action', async () => {
    // A second process on the same database whose policy already lost the tool (it started after the file changed).
    const newer = join(dir, 'newer.yml');
    writeFileSync(newer, withoutSendEmail(ORIGINAL));
    const other = await startSlackAirlock({ policyFile: newer, db: t.db, auth: t.auth, slack: t.slack, processors: false });
    try {
      const a = await t.submit('send_email', email);
      await cardFor(a.id);
      const res = await postInteraction(other.app, approveClick({ user: 'U0LEAD1', actionId: a.id }));
      expect(res.statusCode).toBe(200);
      const told = await t.slack.waitForCall('chat.postEphemeral', (c) => c.body.user === 'U0LEAD1' && String(c.body.text).includes('no longer permits'), 15_000);
      expect(String(told.body.text)).toContain('send_email is no longer in the tool list of agent bot');
      const ended = await until(a.id, 'denied');
      expect(ended.reviews ?? []).toEqual([]);
      const refusal = (await kinds(a.id)).find((e) => e.kind === 'review_refused');
      expect(refusal?.data).toMatchObject({ refused_because: 'not_permitted_by_policy', attempted: 'approve', reviewer: { user_id: 'U0LEAD1' } });
    } finally {
      await other.close();
    }
  });

  it('refuses `review approve` from an operator whose CLI reads the new policy, and ends the action', async () => {
    const newer = join(dir, 'cli.yml');
    writeFileSync(newer, withoutSendEmail(ORIGINAL));
    const a = await t.submit('send_email', email);
    await cardFor(a.id);
    const out = await runCli(['review', 'approve', a.id, '--as', 'U0LEAD1', '--tenant', 'acme'], {
      DATABASE_URL: t.db.url,
      POLICY_FILE: newer,
      // The server's queues run on Postgres (no REDIS_URL): the CLI enqueues the card update in the same place.
      REDIS_URL: '',
      // The CLI reads the reviewer's email from Slack to check they are not the requester.
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: t.slack.url,
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('no longer permits');
    expect(out.stderr).toContain('send_email is no longer in the tool list of agent bot');
    expect(await until(a.id, 'denied')).toMatchObject({ rule: 'hard_boundary.agent_tools' });
    expect((await kinds(a.id)).map((e) => e.kind)).toContain('review_refused');
    await cardUpdated(a.id, 'no longer in the tool list');
  });

  it('tells an operator that the reviewer group an approval waits on left the policy, and ends it, instead of calling the reviewer a non-member', async () => {
    const newer = join(dir, 'cli-group.yml');
    writeFileSync(newer, withoutOncall(ORIGINAL));
    const a = await t.submit('page_oncall');
    const out = await runCli(['review', 'approve', a.id, '--as', 'U0ONCALL1', '--tenant', 'acme'], {
      DATABASE_URL: t.db.url,
      POLICY_FILE: newer,
      REDIS_URL: '',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: t.slack.url,
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('reviewer group oncall is no longer in the policy');
    expect(await until(a.id, 'denied')).toMatchObject({ rule: 'tenants.acme.reviewer_groups' });
  });
});

describe('a deadline under a policy that no longer permits the action', () => {
  it('denies the action instead of letting it fall back to its safest mode', async () => {
    // The intake still reads the old policy; the only worker, whose deadline job ends the action, reads the new one.
    const newer = join(dir, 'worker.yml');
    writeFileSync(newer, ORIGINAL.replace('tools: [send_email, refund, quick_deny, quick_fallback,', 'tools: [send_email, refund, quick_deny,'));
    const intake = await startSlackAirlock({ policyFile, processors: false });
    try {
      const worker = await startSlackAirlock({ policyFile: newer, db: intake.db, auth: intake.auth, slack: intake.slack });
      try {
        const a = await intake.submit('quick_fallback');
        expect(a.status).toBe('pending');
        const ended = await waitFor(async () => {
          const x = await intake.get(a.id);
          return x.status !== 'pending' ? x : undefined;
        }, { what: 'the deadline' });
        expect(ended).toMatchObject({ status: 'denied', decision: 'deny', mode: 'off', rule: 'hard_boundary.agent_tools' });
        expect(ended.outcome_detail).toContain('quick_fallback is no longer in the tool list of agent bot');
      } finally {
        await worker.close();
      }
    } finally {
      await intake.close();
    }
  });
});
