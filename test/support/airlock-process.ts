import { spawn } from 'node:child_process';
import { freePort } from './free-port.js';
import { TEST_SECRET } from './secret.js';
import { waitFor } from './wait-for.js';

export interface AirlockProcess {
  base: string;
  /** Everything the server printed (for log checks and failure messages). */
  output(): string;
  /** A reason to stop waiting at once: the server exited. */
  giveUp(): string | undefined;
  /** SIGKILL: no shutdown of any kind, as a crash or an OOM kill. Resolves once the process is gone. */
  kill(): Promise<void>;
}

const startEnv = (env: Record<string, string>) => ({ ...process.env, AIRLOCK_SECRET: TEST_SECRET, REDIS_URL: '', LOG_LEVEL: 'info', ...env });

/**
 * `npm start` as an operator runs it (src/main/start.ts in its own process,
 * queues on the PostgreSQL backend unless `env` names a Redis), started once
 * /healthz answers (allowing for a slow start on a busy machine).
 */
export async function startAirlockProcess(env: Record<string, string>): Promise<AirlockProcess> {
  const port = await freePort();
  const server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env: { ...startEnv(env), PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let died: string | undefined;
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) =>
    server.once('exit', (code, signal) => {
      died = `exited with ${signal ?? code}`;
      r();
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const giveUp = () => died && `${died}:\n${output}`;
  const kill = async () => {
    if (!died) server.kill('SIGKILL');
    await exited;
  };
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 90_000, intervalMs: 200, what: '/healthz', giveUp }).catch(async (err: Error) => {
    await kill();
    throw err;
  });
  return { base, output: () => output, giveUp, kill };
}

/** Starts the server expecting it to refuse: resolves with its exit code and everything it printed. */
export async function startRefused(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const server = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env: { ...startEnv(env), PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => server.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => server.once('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, output };
}
