import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { runCli } from '../support/run-cli.js';
import { TEST_SECRET } from '../support/secret.js';
import { waitFor } from '../support/wait-for.js';

let db: TestDatabase;
let key: string;
const groups: number[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  key = JSON.parse((await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'support-bot'], env(0))).stdout).key;
});
afterAll(async () => {
  // Each server ran in its own process group: nothing a failed test started outlives the file.
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await db.drop();
});

const env = (port: number): Record<string, string | undefined> => ({
  ...process.env,
  DATABASE_URL: db.url,
  AIRLOCK_SECRET: TEST_SECRET,
  REDIS_URL: '',
  POLICY_FILE: 'examples/policy.yml',
  PORT: String(port),
  LOG_LEVEL: 'info',
});

interface Started {
  proc: ChildProcess;
  base: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(command: string, args: string[]): Promise<Started> {
  const port = await freePort();
  const proc = spawn(command, args, { env: env(port), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.push(proc.pid!);
  let output = '';
  let died: string | undefined;
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) =>
    proc.once('exit', (code, signal) => {
      died = `exited with ${signal ?? code}`;
      r(code);
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).ok, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: `${command} ${args.join(' ')} ready`,
    giveUp: () => (died ? `it ${died}\n${output}` : undefined),
  });
  return { proc, base, port, output: () => output, exited };
}

const listening = (port: number) =>
  new Promise<boolean>((done) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });

describe('stopping the server', () => {
  it('on SIGTERM answers in-flight waits with the action as it stands, closes the workers and exits 0', { timeout: 60_000 }, async () => {
    const server = await start('node', ['--import', 'tsx', 'src/main/start.ts']);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const res = await fetch(`${server.base}/v1/actions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ tool: 'send_customer_email', args: { to: 'jane@example.com', subject: 'Hi' }, requester: { id: 'U0SAM' } }),
    });
    const { id, status } = (await res.json()) as { id: string; status: string };
    expect(status).toBe('pending');
    const waits = Array.from({ length: 3 }, () => fetch(`${server.base}/v1/actions/${id}?wait=50`, { headers }));
    // Answered on another connection after the waits were sent: they have reached the server.
    expect((await fetch(`${server.base}/v1/actions/${id}`, { headers })).ok).toBe(true);
    const stopAt = Date.now();
    process.kill(server.proc.pid!, 'SIGTERM');
    for (const wait of waits) {
      const answer = await wait;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { status: string }).status).toBe('pending');
    }
    const code = await server.exited;
    expect(code, server.output()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(15_000);
    expect(server.output()).toContain('"msg":"stopped"');
    expect(server.output()).not.toMatch(/\n\s+at /);
  });

  it('started by `npm start`, does not outlive npm killed with SIGKILL', { timeout: 60_000 }, async () => {
    const server = await start('npm', ['start', '--silent']);
    process.kill(server.proc.pid!, 'SIGKILL');
    await waitFor(async () => !(await listening(server.port)), { timeoutMs: 15_000, intervalMs: 100, what: 'the orphaned server to release its port' });
  });
});
