import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';
import { fixture, SIGNING_SECRET, slackHeaders } from '../support/slack-requests.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { TEST_SECRET } from '../support/secret.js';

let db: TestDatabase;
let slack: FakeSlackApi;
const servers: { proc: ChildProcess; base: string }[] = [];
let key: string;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = await FakeSlackApi.start();
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    AIRLOCK_SECRET: TEST_SECRET,
    REDIS_URL: '',
    POLICY_FILE: 'test/fixtures/approval-policy.yml',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    LOG_LEVEL: 'silent',
  };
  // One after the other: each start opens a burst of connections (pools, queue objects, migrations).
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const s = { proc: spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env: { ...env, PORT: String(port) }, stdio: 'ignore' }), base: `http://127.0.0.1:${port}` };
    servers.push(s);
    await waitFor(async () => (await fetch(`${s.base}/readyz`)).ok, { timeoutMs: 60_000, intervalMs: 200, what: 'server up' });
  }
  key = JSON.parse((await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'bot'], { DATABASE_URL: db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml' })).stdout).key;
}, 90_000);

afterAll(async () => {
  for (const s of servers) s.proc.kill('SIGKILL');
  await slack.close();
  await db.drop();
});

let seq = 0;
async function slash(base: string, text: string) {
  const id = `p${++seq}`;
  const fields = fixture('slash-command', { RESPONSE_URL: slack.responseUrl(id) }) as Record<string, string>;
  fields.text = text;
  const body = new URLSearchParams(fields).toString();
  const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
  expect(res.status).toBe(200);
  return slack.waitForCall('response_url', (c) => c.body.response_id === id, 10_000);
}

async function submit(base: string, tool: string) {
  const res = await fetch(`${base}/v1/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tool, args: {}, requester: { id: 'U0SAM' } }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { decision: string; rule: string; policy_version: string };
}

describe('admin changes across processes', () => {
  it('take effect for the very next request on another API process, without a restart', { timeout: 60_000 }, async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    // Warm B's caches first, so a stale cache would show.
    expect((await submit(b.base, 'read')).decision).toBe('allow');
    await slash(a.base, 'deny-tool read leaked');
    expect(await submit(b.base, 'read')).toMatchObject({ decision: 'deny', rule: 'overrides.deny_tool' });
    await slash(b.base, 'allow-tool read');
    expect((await submit(a.base, 'read')).decision).toBe('allow');
    await slash(a.base, 'incident on drill');
    expect(await submit(b.base, 'send_email')).toMatchObject({ decision: 'fallback', rule: 'overrides.incident' });
    await slash(b.base, 'incident off');
    expect((await submit(a.base, 'send_email')).decision).toBe('queue_for_approval');
  });
});
