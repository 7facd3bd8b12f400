import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET, approveClick, editSubmission, postInteraction } from '../support/slack-requests.js';
import { json, startStubServer, type StubServer } from '../support/stub-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `airlock audit show`: one action's story told from the audit trail alone,
 * for the incident question: who asked, which agent, which policy version and
 * rule, who approved which exact arguments, what ran and how it ended. Each
 * story is driven through the surfaces people use (HTTP intake, signed Slack
 * clicks, the review CLI, the agent's result report).
 */
let t: SlackTestAirlock;
let hooks: StubServer;
let env: Record<string, string>;

const PIN = 'PIN-SECRET-7731';
const SLOW = 60_000;

beforeAll(async () => {
  hooks = await startStubServer((_req, res) => json(res, 200, { ok: true }));
  t = await startSlackAirlock({ env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' } });
  env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
});
afterAll(async () => {
  await t.close();
  await hooks.close();
});

const show = (...args: string[]) => runCli(['audit', 'show', ...args], env);
const events = async (id: string) => (await t.core.pool.query<{ kind: string }>('SELECT kind FROM audit_events WHERE action_id = $1 ORDER BY at, id', [id])).rows.map((r) => r.kind);
const until = (id: string, kind: string) => waitFor(async () => (await events(id)).includes(kind), { what: `${kind} of ${id}`, timeoutMs: 20_000 });
const cardPosted = (id: string) => until(id, 'card_posted');
/** Lines of the timeline, each starting with its time since the request. */
const timeline = (out: string) => out.split('\n').filter((l) => /^ {2}\+\d/.test(l));
/** Nothing a terminal would act on or hide: only the output's own line breaks. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

describe('airlock audit show', () => {
  let approved: { id: string; policy_version: string; rule: string };
  let approvedSha: string;

  beforeAll(async () => {
    // Requested, refused to an outsider, approved with a changed note, called back, run and reported.
    approved = (await t.submit('set_pin', {
      args: { pin: PIN, note: 'old note' },
      summary: 'Reset the PIN\n  +9s     forged line\u001b[2K',
      requester: { id: 'U0SAM', email: 'sam@acme.test', display: 'Sam Owner' },
      workflow: 'accounts',
      environment: 'production',
      session_id: 'sess-9',
      callback_url: `${hooks.url}/airlock`,
    })) as unknown as typeof approved;
    await cardPosted(approved.id);
    expect((await postInteraction(t.app, approveClick({ user: 'U0OUTSIDER', actionId: approved.id, version: 1 }))).statusCode).toBe(200);
    await until(approved.id, 'review_refused');
    expect((await postInteraction(t.app, editSubmission({ user: 'U0LEAD1', actionId: approved.id, version: 1, edits: { note: 'new note' }, reason: 'note fixed' }))).statusCode).toBe(200);
    await until(approved.id, 'callback_delivered');
    approvedSha = (await t.get(approved.id)).args_sha256;
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/actions/${approved.id}/result`,
      headers: { authorization: t.auth },
      payload: { outcome: 'succeeded', args: { pin: PIN, note: 'new note' }, external_ref: 'ticket-42' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }, SLOW);

  it('tells a person, by the short id, who asked, what decided, who approved which arguments and what ran', { timeout: SLOW }, async () => {
    const out = await show(approved.id.slice(0, 8), '--tenant', 'acme');
    expect(out.code, out.stderr).toBe(0);
    const text = out.stdout;
    expect(text).toContain(approved.id);
    expect(text).toMatch(/requested\s+.*by agent bot for Sam Owner · U0SAM · sam@acme\.test/);
    expect(text).toMatch(/where\s+production, workflow accounts, session sess-9/);
    expect(text).toContain(`rule ${approved.rule}, policy version ${approved.policy_version}`);
    expect(text).toMatch(new RegExp(`approved\\s+by slack U0LEAD1 \\(lead1@acme\\.test\\), arguments v2 sha256 ${approvedSha.slice(0, 16)}`));
    expect(text).toMatch(/ran\s+succeeded, ref ticket-42; the executed arguments match v2/);

    // The timeline, in time order, each line with its time since the request.
    const lines = timeline(text);
    const kinds = lines.map((l) => /^ {2}\+[\dms ]+?\s{2,}(\S+(?: \S+)?)/.exec(l)?.[1]);
    expect(kinds).toEqual(['decision', 'card posted', 'review refused', 'approved', 'callback', 'result']);
    expect(lines[0]).toMatch(/^ {2}\+0s /);
    expect(text).toMatch(/card posted\s+slack, round 0, group leads: channel C0LEADS/);
    expect(text).toMatch(/review refused\s+approve by slack U0OUTSIDER \(team T0ACME\): not a member of the reviewer group/);
    expect(text).toMatch(/approved\s+by slack U0LEAD1 \(lead1@acme\.test, team T0ACME\): "note fixed"; status approved/);
    expect(text).toContain('changed note: "old note" → "new note"');
    expect(text).toContain(`arguments v2 sha256 ${approvedSha}`);
    expect(text).toMatch(/callback\s+delivered to http:\/\/127\.0\.0\.1:\d+ \(HTTP 200\)/);
    expect(text).toMatch(/result\s+succeeded, ref ticket-42; arguments match v2/);
    // The request as recorded: redacted, and what the agent wrote made visible rather than obeyed.
    expect(text).toContain('"pin":"[redacted]"');
    expect(text).not.toContain(PIN);
    expect(text).not.toMatch(CONTROLS);
    expect(text).toContain('Reset the PIN\\n  +9s     forged line\\x1b[2K');
  });

  it('prints one JSON document with the same story', { timeout: SLOW }, async () => {
    const out = await show(approved.id, '--tenant', 'acme', '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toContain(PIN);
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({
      action_id: approved.id,
      tenant: 'acme',
      tool: 'set_pin',
      status: 'succeeded',
      request: { agent: 'bot', requester: { id: 'U0SAM', email: 'sam@acme.test' }, environment: 'production', workflow: 'accounts', session: 'sess-9', args: { pin: '[redacted]', note: 'old note' }, args_version: 1 },
      decision: { decision: 'queue_for_approval', rule: approved.rule, policy_version: approved.policy_version },
      reviews: [{ decision: 'approve', reviewer: { platform: 'slack', user_id: 'U0LEAD1', team_id: 'T0ACME', email: 'lead1@acme.test' }, args_version: 2, args_sha256: approvedSha, reason: 'note fixed' }],
      result: { outcome: 'succeeded', external_ref: 'ticket-42', args_check: 'match', violation: null },
    });
    expect(doc.timeline.map((e: { kind: string }) => e.kind)).toEqual(['decision', 'card_posted', 'review_refused', 'review', 'callback_delivered', 'result']);
    expect(doc.timeline[0]).toMatchObject({ after_s: 0, kind: 'decision' });
    expect(doc.timeline[3]).toMatchObject({ kind: 'review', edit: { version: 2, changes: [{ path: 'note', from: 'old note', to: 'new note' }] }, approved_args: { pin: '[redacted]', note: 'new note' } });
    const times = doc.timeline.map((e: { at: string }) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('tells what a deadline did: the reminder, the escalation with its new card, the expiry', { timeout: SLOW }, async () => {
    const a = await t.submit('quick_escalate', { args: { target: 'db-1' } });
    await until(a.id, 'expired');
    const out = await show(a.id, '--tenant', 'acme');
    expect(out.code, out.stderr).toBe(0);
    const kinds = timeline(out.stdout).map((l) => /^ {2}\+[\dms ]+?\s{2,}(\S+(?: \S+)?)/.exec(l)?.[1]);
    expect(kinds).toEqual(['decision', 'card posted', 'reminder', 'escalated', 'card posted', 'reminder', 'expired']);
    expect(out.stdout).toMatch(/escalated\s+to security: no decision before the deadline/);
    expect(out.stdout).toMatch(/card posted\s+slack, round 1, group security: channel C0SEC/);
    expect(out.stdout).toMatch(/expired\s+no decision before the deadline; decision deny, mode off; status expired/);
    expect(out.stdout).toMatch(/^status\s+expired \(decision deny, mode off\)$/m);
  });

  it('names the operator of a review recorded through the CLI', { timeout: SLOW }, async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 'Refund', body: 'SECRET-BODY-1' } });
    await cardPosted(a.id);
    const denied = await runCli(['review', 'deny', a.id, '--tenant', 'acme', '--as', 'U0LEAD1', '--reason', 'wrong customer'], env);
    expect(denied.code, denied.stderr).toBe(0);
    const out = await show(a.id, '--tenant', 'acme', '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toContain('SECRET-BODY-1');
    expect(JSON.parse(out.stdout)).toMatchObject({
      status: 'denied',
      reviews: [{ decision: 'deny', reason: 'wrong customer', reviewer: { platform: 'slack', user_id: 'U0LEAD1', email: 'lead1@acme.test', via: 'cli', operator: expect.any(String) } }],
      result: null,
    });
  });

  it('refuses an unknown id and another tenant’s id with the same one line, and names the actions a shared prefix fits', { timeout: SLOW }, async () => {
    const unknown = await show('00000000-0000-4000-8000-000000000000', '--tenant', 'acme');
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'No action 00000000-0000-4000-8000-000000000000 in tenant acme.\n' });

    const globex = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } }, await t.agentAuth('globex', 'bot'));
    const other = await show(globex.id, '--tenant', 'acme');
    expect(other).toMatchObject({ code: 1, stdout: '', stderr: `No action ${globex.id} in tenant acme.\n` });

    // Sixteen hex digits: among seventeen ids two start alike.
    const byFirst = new Map<string, string[]>();
    let shared: string[] | undefined;
    while (!shared) {
      const a = await t.submit('read');
      const same = [...(byFirst.get(a.id[0]!) ?? []), a.id];
      byFirst.set(a.id[0]!, same);
      if (same.length === 2) shared = same;
    }
    const ambiguous = await show(shared[0]![0]!, '--tenant', 'acme');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toBe('');
    const [head, ...named] = ambiguous.stderr.trimEnd().split('\n');
    expect(head).toBe(`${shared[0]![0]} is the start of more than one action in tenant acme; give more of the id:`);
    const candidates = named.filter((l) => l !== '  …and more').map((l) => l.trim());
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    for (const id of candidates) expect(id.startsWith(shared[0]![0]!)).toBe(true);
  });
});
