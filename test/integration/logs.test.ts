import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';
import { TEST_SECRET } from '../support/secret.js';
import { startSlackProcess, type SlackProcess } from '../support/slack-process.js';
import { approveClick, slackHeaders } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The server's log, read the way an operator's log shipper or terminal reads
 * it: one JSON object per line on stdout (Slack's library warnings
 * included), one `decision` line per decision and one `review` line per
 * review, never an argument value or what a person wrote; LOG_FORMAT=pretty
 * for a terminal.
 */
const POLICY = 'test/fixtures/approval-policy.yml';
const MARKER = 'marker-7f3a9c';

type Line = Record<string, unknown> & { level: number; msg: string };

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`not a JSON log line: ${l}`);
      }
    });

/** The log lines among what the CLI prints on stderr (its refusals are plain text there too). */
const logLines = (text: string) => jsonLines(text.split('\n').filter((l) => l.startsWith('{')).join('\n'));

let db: TestDatabase;
let slack: FakeSlackApi;
beforeAll(async () => {
  db = await createTestDatabase();
  slack = await FakeSlackApi.start();
});
afterAll(async () => {
  await slack.close();
  await db.drop();
});

const start = (env: Record<string, string> = {}) =>
  startSlackProcess({ databaseUrl: db.url, apiUrl: slack.url, token: 'xoxb-test-token', policyFile: POLICY, env });

let key: string | undefined;
async function submit(server: SlackProcess, tool: string, args: Record<string, unknown>, requester: Record<string, string> = { id: 'U0SAM' }) {
  // The agent is created once; its key works on every server of the database.
  key ??= await server.agentKey();
  const res = await fetch(`${server.base}/v1/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tool, args, summary: `summary ${MARKER}`, requester, context: { note: MARKER } }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; decision: string; status: string };
}

describe('the server’s log with LOG_FORMAT=json (the default), and the CLI’s', () => {
  let server: SlackProcess;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  it('logs one line per decision and per review, with Slack warnings as records of the same log, and never an argument value', { timeout: 60_000 }, async () => {
    const { giveUp } = server;
    const allowed = await submit(server, 'read', { path: `/srv/${MARKER}` });
    slack.warnNext('chat.postMessage', 'missing_charset');
    const queued = await submit(server, 'send_email', { to: 'x@example.com', subject: `subject ${MARKER}`, body: `body ${MARKER}` });
    await slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.body.metadata ?? '').includes(queued.id), 15_000);

    const body = new URLSearchParams({ payload: JSON.stringify(approveClick({ user: 'U0LEAD1', actionId: queued.id, version: 1 })) }).toString();
    const click = await fetch(`${server.base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
    expect(click.status).toBe(200);

    const lines = await waitFor(
      () => {
        const all = jsonLines(server.stdout());
        return all.some((l) => l.msg === 'review') && all.some((l) => l.level === 40 && String(l.msg).includes('missing_charset')) && all;
      },
      { timeoutMs: 15_000, what: 'the review line and the Slack warning in the log', giveUp },
    );

    const decisions = lines.filter((l) => l.msg === 'decision');
    expect(decisions).toHaveLength(2);
    expect(decisions.find((l) => l.action_id === allowed.id)).toMatchObject({
      level: 30,
      tenant: 'acme',
      agent: 'bot',
      tool: 'read',
      decision: 'allow',
      rule: expect.any(String),
      policy_version: expect.any(String),
      latency_ms: expect.any(Number),
      reqId: expect.any(String),
    });
    expect(decisions.find((l) => l.action_id === queued.id)).toMatchObject({ tool: 'send_email', decision: 'queue_for_approval', reviewer_group: 'leads' });

    const reviews = lines.filter((l) => l.msg === 'review');
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({
      level: 30,
      action_id: queued.id,
      tenant: 'acme',
      agent: 'bot',
      tool: 'send_email',
      platform: 'slack',
      reviewer: 'U0LEAD1',
      decision: 'approve',
      outcome: 'approved',
      rule: decisions.find((l) => l.action_id === queued.id)!.rule,
      policy_version: expect.any(String),
      latency_ms: expect.any(Number),
    });

    const warning = lines.find((l) => l.level === 40 && String(l.msg).includes('missing_charset'))!;
    expect(warning).toMatchObject({ service: 'airlock', source: 'slack', msg: 'missing_charset' });
    expect(server.output()).not.toContain('[WARN]');
    expect(server.output()).not.toContain(MARKER);
  });

  it('logs each review an operator records from the CLI once, refused or not, without the reason they gave', { timeout: 60_000 }, async () => {
    const queued = await submit(server, 'send_email', { to: 'x@example.com', subject: 's' });
    // Without a bot token the CLI cannot read a reviewer's email, which it needs when the requester is named by email.
    const byEmail = await submit(server, 'send_email', { to: 'x@example.com', subject: 's' }, { id: 'U0SAM', email: 'sam@acme.test' });
    const env = { DATABASE_URL: db.url, POLICY_FILE: POLICY, REDIS_URL: '', LOG_LEVEL: 'info', SLACK_BOT_TOKEN: '' };
    const deny = (id: string, as: string) => runCli(['review', 'deny', id, '--tenant', 'acme', '--as', as, '--reason', `reason ${MARKER}`], env);
    const stranger = await deny(queued.id, 'U0STRANGER');
    const blind = await deny(byEmail.id, 'U0LEAD2');
    const cli = await deny(queued.id, 'U0LEAD2');
    expect([stranger.code, blind.code, cli.code]).toEqual([1, 1, 0]);
    const reviewLine = (run: { stderr: string }) => {
      const lines = logLines(run.stderr).filter((l) => l.msg === 'review');
      expect(lines).toHaveLength(1);
      return lines[0];
    };
    expect(reviewLine(stranger)).toMatchObject({ action_id: queued.id, platform: 'slack', reviewer: 'U0STRANGER', via: 'cli', outcome: 'refused', refused_because: 'not_in_reviewer_group' });
    expect(reviewLine(blind)).toMatchObject({ action_id: byEmail.id, tenant: 'acme', tool: 'send_email', reviewer: 'U0LEAD2', via: 'cli', outcome: 'refused', refused_because: 'email_unreadable' });
    expect(reviewLine(cli)).toMatchObject({
      action_id: queued.id,
      tenant: 'acme',
      tool: 'send_email',
      platform: 'slack',
      reviewer: 'U0LEAD2',
      via: 'cli',
      decision: 'deny',
      outcome: 'denied',
    });
    expect(stranger.stderr + blind.stderr + cli.stderr + cli.stdout).not.toContain(MARKER);
  });

  it('prints the CLI’s log lines for a person too, with LOG_LEVEL and LOG_FORMAT=pretty', { timeout: 60_000 }, async () => {
    const queued = await submit(server, 'send_email', { to: 'x@example.com', subject: 's' });
    const cli = await runCli(['review', 'approve', queued.id, '--tenant', 'acme', '--as', 'U0LEAD2'], {
      DATABASE_URL: db.url,
      POLICY_FILE: POLICY,
      REDIS_URL: '',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'pretty',
    });
    expect(cli.code).toBe(0);
    const lines = cli.stderr.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(lines.find((l) => l.includes(queued.id))).toMatch(/INFO.*review.*"outcome":"approved"/);
  });

  it('logs a refused review with why it was refused', { timeout: 60_000 }, async () => {
    const queued = await submit(server, 'send_email', { to: 'x@example.com', subject: 's' });
    const body = new URLSearchParams({ payload: JSON.stringify(approveClick({ user: 'U0OUTSIDER', actionId: queued.id, version: 1 })) }).toString();
    expect((await fetch(`${server.base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body })).status).toBe(200);
    const refused = await waitFor(() => jsonLines(server.stdout()).find((l) => l.msg === 'review' && l.action_id === queued.id), {
      what: 'the refused review in the log',
      giveUp: server.giveUp,
    });
    expect(refused).toMatchObject({ reviewer: 'U0OUTSIDER', decision: 'approve', outcome: 'refused', refused_because: 'not_in_reviewer_group', tenant: 'acme', tool: 'send_email' });
  });

  it('has written its last line when it stops', async () => {
    expect(await server.stop()).toBe(0);
    const lines = jsonLines(server.stdout());
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('LOG_FORMAT=pretty', () => {
  it('prints lines for a person at a terminal, down to the last one', { timeout: 60_000 }, async () => {
    const server = await start({ LOG_FORMAT: 'pretty' });
    try {
        const allowed = await submit(server, 'read', { path: `/srv/${MARKER}` });
      await waitFor(() => server.stdout().includes(allowed.id), { what: 'the decision line', giveUp: server.giveUp });
      expect(await server.stop()).toBe(0);
      const lines = server.stdout().split('\n').filter((l) => l.trim() !== '');
      for (const line of lines) expect(() => JSON.parse(line)).toThrow();
      expect(lines.find((l) => l.includes('airlock started'))).toMatch(/INFO.*airlock started/);
      expect(lines.find((l) => l.includes(allowed.id))).toMatch(/INFO.*decision/);
      expect(lines.find((l) => l.includes(allowed.id))).toContain(`"action_id":"${allowed.id}"`);
      expect(lines.at(-1)).toMatch(/INFO.*stopped/);
      expect(server.output()).not.toContain(MARKER);
    } finally {
      await server.close();
    }
  });
});

it('refuses to start with a LOG_FORMAT it does not know, naming the variable', { timeout: 30_000 }, async () => {
  const run = promisify(execFile);
  // Otherwise a complete configuration: only LOG_FORMAT can stop it (and a server that starts anyway is killed).
  const env = { ...process.env, LOG_FORMAT: 'xml', DATABASE_URL: db.url, AIRLOCK_SECRET: TEST_SECRET, POLICY_FILE: POLICY, PORT: '0', REDIS_URL: '' };
  const failed = await run('node', ['--import', 'tsx', 'src/main/start.ts'], { env, timeout: 20_000 }).then(
    () => undefined,
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toMatch(/LOG_FORMAT: .*json.*pretty/);
  expect(failed?.stdout).toBe('');
});
