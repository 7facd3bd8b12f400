import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeBotFramework, type ChannelTokenOptions } from '../fakes/fake-bot-framework.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort } from './free-port.js';
import { runCli } from './run-cli.js';
import { TEST_SECRET } from './secret.js';
import { SIGNING_SECRET } from './slack-requests.js';
import { createTestCa, type TestCa } from './test-ca.js';
import { TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_MEMBERS } from './teams-fixtures.js';
import { waitFor } from './wait-for.js';

export { ACME_AAD_TENANT, TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_MEMBERS, teamsActivity } from './teams-fixtures.js';

export interface TeamsTestAirlock {
  fake: FakeBotFramework;
  base: string;
  db: TestDatabase;
  /** Everything the server process printed (for leak checks and failure messages). */
  output(): string;
  /** POSTs an activity to /api/messages with a fresh channel token for its serviceUrl (or the given Authorization header). */
  send(activity: Record<string, unknown>, auth?: { header?: string | null; token?: ChannelTokenOptions }): Promise<{ status: number; body: any }>;
  /** Submits an action; a pending one returns once its card reached the fake connector, unless `waitForCard` is false. */
  submit(tool: string, body?: Record<string, unknown>, opts?: { waitForCard?: boolean }): Promise<{ id: string; status: string }>;
  get(id: string): Promise<Record<string, any>>;
  /** What a second process of the same deployment shares with this one (`startTeamsAirlock({ alongside })`). */
  shared: { ca: TestCa; agentKey: string };
  /** Rewrites the server's policy file (the fake's service URL filled in, as at start) and sends the server SIGHUP; the reload and its effects follow. */
  reloadPolicy(yaml: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Airlock as its own process (`src/main/start.ts`), with Teams configured
 * against a local fake Bot Framework over https. The child process is what
 * makes the test CA trustworthy: NODE_EXTRA_CA_CERTS is read only when a Node
 * process starts, so the code under test must start with it. Queues run on
 * the PostgreSQL backend in a fresh test database (no shared Redis state).
 */
export async function startTeamsAirlock(
  opts: { policy?: string; slackApiUrl?: string; env?: Record<string, string>; alongside?: TeamsTestAirlock } = {},
): Promise<TeamsTestAirlock> {
  // `alongside`: another process of the same deployment (its database, connector and agent); closing it leaves them to the first.
  const first = opts.alongside;
  const ca: TestCa = first?.shared.ca ?? createTestCa();
  const fake = first?.fake ?? (await FakeBotFramework.start({ appId: TEAMS_APP_ID, appPassword: TEAMS_APP_PASSWORD, tls: ca, members: TEAMS_MEMBERS }));
  const db = first?.db ?? (await createTestDatabase());
  const policyFile = join(ca.caPath, '..', 'teams-policy.yml');
  const writePolicy = (yaml: string) => writeFileSync(policyFile, yaml.replaceAll('https://connector.invalid/teams/', fake.serviceUrl('teams')));
  writePolicy(readFileSync(opts.policy ?? 'test/fixtures/teams-policy.yml', 'utf8'));
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: db.url,
    AIRLOCK_SECRET: TEST_SECRET,
    POLICY_FILE: policyFile,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    TEAMS_APP_ID,
    TEAMS_APP_PASSWORD,
    TEAMS_OPENID_METADATA_URL: fake.openIdMetadataUrl,
    TEAMS_LOGIN_URL: fake.loginUrl(),
    NODE_EXTRA_CA_CERTS: ca.caPath,
    // Tests post cards to one conversation faster than Teams would take them; pacing is tested on its own.
    AIRLOCK_CHAT_PACING: 'off',
    ...opts.env,
  };
  delete env.REDIS_URL;
  delete env.SLACK_BOT_TOKEN;
  // With a fake Slack as well, one process serves both platforms.
  if (opts.slackApiUrl) Object.assign(env, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: opts.slackApiUrl });

  const createAgent = async () => {
    const created = await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'bot'], env);
    if (created.code !== 0) throw new Error(`agent create failed: ${created.stderr}`);
    return (JSON.parse(created.stdout) as { key: string }).key;
  };
  const server: ChildProcess = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let died: string | undefined;
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  server.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
  const base = `http://127.0.0.1:${port}`;
  // Created while the server starts (both migrate under the same advisory lock): the agent needs no server.
  const key = await (first ? Promise.resolve(first.shared.agentKey) : createAgent()).catch((err: Error) => {
    server.kill('SIGKILL');
    throw err;
  });
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: 'the Airlock server',
    giveUp: () => (died ? `the server ${died}` : undefined),
  }).catch((err: Error) => {
    server.kill('SIGKILL');
    throw new Error(`${err.message}\nserver output:\n${output}`);
  });

  const send: TeamsTestAirlock['send'] = async (activity, auth = {}) => {
    const header =
      auth.header === null ? undefined : (auth.header ?? `Bearer ${fake.channelToken({ serviceUrl: activity.serviceUrl as string, ...auth.token })}`);
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(header ? { authorization: header } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const submit = async (tool: string, body: Record<string, unknown> = {}, opts: { waitForCard?: boolean } = {}) => {
    const res = await fetch(`${base}/v1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tool, args: {}, requester: { id: 'sam@acme.test', email: 'sam@acme.test' }, summary: `please run ${tool}`, ...body }),
    });
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
    const action = (await res.json()) as { id: string; status: string };
    // A pending action's card is posted to its Teams conversation by the worker: wait for it, so tests start from a posted card.
    if (action.status === 'pending' && opts.waitForCard !== false) await fake.waitForCall('send', (c) => JSON.stringify(c.body).includes(action.id));
    return action;
  };
  const get = async (id: string) => (await fetch(`${base}/v1/actions/${id}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<Record<string, any>>;

  return {
    fake,
    base,
    db,
    output: () => output,
    send,
    submit,
    get,
    shared: { ca, agentKey: key },
    reloadPolicy: async (yaml) => {
      writePolicy(yaml);
      server.kill('SIGHUP');
    },
    close: async () => {
      if (!died) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      if (first) return;
      await fake.close();
      await db.drop();
      ca.remove();
    },
  };
}
