import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedPort } from '../../src/infra/postgres/embedded.js';
import { runCli } from '../support/run-cli.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

let server: ChildProcess | undefined;
let dataDir: string;

afterAll(async () => {
  if (server?.pid) process.kill(-server.pid, 'SIGKILL');
  server = undefined;
  // A cluster a failed test left running must not outlive the run.
  if (dataDir) await runCli(['migrate'], cliEnv(), EMBEDDED).catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` on a fresh machine: no DATABASE_URL, no REDIS_URL, nothing but Node. */
const baseEnv = (port: number) => {
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), AIRLOCK_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.POLICY_FILE;
  // The secret generated under AIRLOCK_DATA_DIR, for the server and the CLI alike (undefined overrides
  // runCli's TEST_SECRET and is left out of the child's environment): the audit chain is sealed with it.
  env.AIRLOCK_SECRET = undefined;
  return env;
};

/** The CLI as an operator runs it: no LOG_LEVEL, so only its results and plain warnings. */
const cliEnv = () => ({ ...baseEnv(0), LOG_LEVEL: undefined });
/** The CLI as a process: the embedded cluster it starts and stops is a child of that process, run with its environment. */
const EMBEDDED = { spawn: true };

const clusterPort = () => embeddedPort(resolve(dataDir, 'pg'));

/** True while something accepts TCP connections on 127.0.0.1:port. */
const listening = (port: number) =>
  new Promise<boolean>((done) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });

describe('npm start with no configuration', () => {
  it(
    'starts together with the CLI on one embedded Postgres, reloads the policy on SIGHUP, and on Ctrl-C answers in-flight waits, stops Postgres last and exits 0',
    { timeout: 120_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'airlock-embedded-'));
      // As root, Postgres runs as the `postgres` user, which must be able to enter the directory.
      await chmod(dataDir, 0o755);
      const port = await freePort();
      const env = baseEnv(port);
      // Its own process group, so the test can press Ctrl-C the way a terminal does (SIGINT to the whole group).
      server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      let died: string | undefined;
      server.stdout!.on('data', (d) => (output += d));
      server.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((r) =>
        server!.once('exit', (code, signal) => {
          died = `exited with ${signal ?? code}`;
          r(code);
        }),
      );
      const giveUp = () => (died ? `the server ${died}\nserver output:\n${output}` : undefined);

      // The Quickstart pasted at once: the CLI starts while the server is still starting the same cluster.
      const created = await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'support-bot'], cliEnv(), EMBEDDED);
      expect(created.stderr).not.toContain('{');
      expect(created.code).toBe(0);
      const { key } = JSON.parse(created.stdout);

      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 90_000, intervalMs: 200, what: '/healthz', giveUp });
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', checks: { postgres: 'ok', queue: 'ok' }, policy: { version: expect.any(String), file: 'ok' } });
      const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const submit = async (body: unknown) => {
        const res = await fetch(`${base}/v1/actions`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
        expect(res.status).toBe(201);
        return (await res.json()) as { id: string; decision: string; status: string };
      };
      expect((await submit({ tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } })).decision).toBe('allow');

      // SIGHUP reloads the policy and the server keeps serving.
      process.kill(server.pid!, 'SIGHUP');
      await waitFor(() => output.includes('policy reloaded'), { timeoutMs: 10_000, what: 'policy reloaded', giveUp });
      expect((await fetch(`${base}/healthz`)).ok).toBe(true);

      const queued = await submit({
        tool: 'send_customer_email',
        args: { to: 'jane@example.com', subject: 'Your refund', body: '...' },
        requester: { id: 'U0SAM' },
        context: { confidence: 0.62 },
      });
      expect(queued.status).toBe('pending');
      const waitStarted = Date.now();
      const waiting = fetch(`${base}/v1/actions/${queued.id}?wait=30`, { headers: auth });
      // A request answered on another connection after the wait was sent: the wait has reached the server.
      expect((await fetch(`${base}/v1/actions/${queued.id}`, { headers: auth })).ok).toBe(true);

      process.kill(-server.pid!, 'SIGINT');
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect((await answer.json()).status).toBe('pending');
      expect(Date.now() - waitStarted).toBeLessThan(20_000);
      const code = await exited;
      server = undefined;
      expect(code, output).toBe(0);
      expect(output).not.toMatch(/\n\s+at /);
      // Postgres was stopped after everything else (the wait above was answered from it) and is not left behind.
      expect(await listening(clusterPort())).toBe(false);

      // Stopped server: the CLI starts the cluster itself, sees the same data, and stops it again.
      const verify = await runCli(['audit', 'verify', '--tenant', 'acme'], cliEnv(), EMBEDDED);
      expect(verify.code).toBe(0);
      const verified = JSON.parse(verify.stdout);
      expect(verified).toMatchObject({ ok: true, problems: 0 });
      expect(verified.checked).toBeGreaterThanOrEqual(2);
      expect(await listening(clusterPort())).toBe(false);
    },
  );

  it('says in one line why the embedded Postgres could not start', { timeout: 60_000 }, async () => {
    // Something else holds the cluster's port.
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((listening, failed) => {
      squatter.once('error', failed);
      squatter.listen(clusterPort(), '127.0.0.1', listening);
    });
    try {
      const out = await runCli(['migrate'], cliEnv(), EMBEDDED);
      expect(out.code).toBe(1);
      expect(out.stderr).not.toContain('undefined');
      expect(out.stderr).toContain('Address already in use');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
