import { spawn } from 'node:child_process';
import { freePort } from './free-port.js';
import { runCli } from './run-cli.js';
import { TEST_SECRET } from './secret.js';
import { SIGNING_SECRET } from './slack-requests.js';
import { waitFor } from './wait-for.js';

export interface SlackProcess {
  base: string;
  /** Everything the server printed (for leak checks and failure messages). */
  output(): string;
  /** What it printed on stdout alone (its log). */
  stdout(): string;
  /** A reason to stop waiting at once: the server exited. */
  giveUp(): string | undefined;
  /** The Slack state /readyz reports. */
  chatState(): Promise<string>;
  /** A key for agent `bot` of tenant acme, created with the CLI. */
  agentKey(): Promise<string>;
  close(): Promise<void>;
  /** Stops it as an operator does (SIGTERM) and resolves with its exit code once it has exited. */
  stop(): Promise<number | null>;
}

/**
 * `npm start` as an operator runs it (src/main/start.ts in its own process),
 * with Slack at `apiUrl` and the queues in Postgres: for what happens at
 * start, which an in-process Airlock cannot show.
 */
export async function startSlackProcess(o: {
  databaseUrl: string;
  apiUrl: string;
  token: string;
  policyFile: string;
  /** Variables set on top of the defaults (e.g. LOG_FORMAT). */
  env?: Record<string, string>;
}): Promise<SlackProcess> {
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: o.databaseUrl, AIRLOCK_SECRET: TEST_SECRET, REDIS_URL: '', POLICY_FILE: o.policyFile };
  const server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], {
    env: { ...env, PORT: String(port), SLACK_BOT_TOKEN: o.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: o.apiUrl, LOG_LEVEL: 'info', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let died: string | undefined;
  server.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  server.stderr!.on('data', (d) => (output += d));
  server.once('exit', (code, signal) => (died = `exited with ${signal ?? code}`));
  const base = `http://127.0.0.1:${port}`;
  const giveUp = () => died && `${died}:\n${output}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 30_000, intervalMs: 200, what: '/healthz', giveUp }).catch((err: Error) => {
    server.kill('SIGKILL');
    throw err;
  });
  return {
    base,
    output: () => output,
    stdout: () => stdout,
    giveUp,
    chatState: async () => ((await (await fetch(`${base}/readyz`)).json()) as { chat?: Record<string, string> }).chat?.slack ?? '',
    agentKey: async () => JSON.parse((await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'bot'], env)).stdout).key,
    close: async () => {
      if (died) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return server.exitCode;
      const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
      server.kill('SIGTERM');
      return exited;
    },
  };
}
