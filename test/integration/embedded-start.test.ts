import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

let server: ChildProcess | undefined;
let dataDir: string;

afterAll(async () => {
  server?.kill('SIGKILL');
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

describe('npm start with no configuration', () => {
  it('runs on an embedded Postgres with Postgres-backed queues, and the CLI shares its database running or not', { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'airlock-embedded-'));
    // As root, Postgres runs as the `postgres` user, which must be able to enter the directory.
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const env = baseEnv(port);
    server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let died: string | undefined;
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    server.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: '/healthz',
      giveUp: () => (died ? `the server ${died}` : undefined),
    }).catch((err: Error) => {
      throw new Error(`${err.message}\nserver output:\n${output}`);
    });
    const ready = await (await fetch(`${base}/readyz`)).json();
    expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', queue: 'ok' } });

    // The CLI finds the server's embedded cluster.
    const created = await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'support-bot'], env);
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout);
    const res = await fetch(`${base}/v1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tool: 'lookup_order', args: { order_id: 'o1' }, requester: { id: 'U1' } }),
    });
    expect(res.status).toBe(201);
    expect((await res.json()).decision).toBe('allow');

    // Stopped server: the CLI starts the cluster itself and sees the same data.
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    server = undefined;
    const verify = await runCli(['audit', 'verify', '--tenant', 'acme'], env);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 1 });
  });
});
