import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { CliIo } from '../../adapters/cli/index.js';
import { TEST_SECRET } from './secret.js';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * How a call runs. By default in this process, through the entry point the
 * binary calls (argv, environment, services, output and exit code: everything
 * but the process), which saves starting Node and loading the code each time.
 * `spawn` runs the real binary as a child, the way an operator would: for what
 * only a process has (signals, a hang cut off by `timeoutMs`, stdin, how it
 * exits, what it inherits), and for one smoke test per command group.
 */
export type CliOptions = { spawn?: boolean };

/**
 * Runs `airlock <args>` with the test environment: this process's variables,
 * the test secret, then `env` (an undefined value unsets a variable).
 * A spawned call with `timeoutMs` is killed when it hangs; its code is then null.
 */
export function runCli(args: string[], env: Record<string, string | undefined>, opts?: CliOptions): Promise<CliResult>;
export function runCli(args: string[], env: Record<string, string | undefined>, opts: { spawn: true; timeoutMs: number }): Promise<Omit<CliResult, 'code'> & { code: number | null }>;
export function runCli(args: string[], env: Record<string, string | undefined>, opts: CliOptions & { timeoutMs?: number } = {}) {
  const merged = { ...process.env, AIRLOCK_SECRET: TEST_SECRET, ...env };
  return opts.spawn ? spawnCli(args, merged, opts.timeoutMs) : runInProcess(args, merged);
}

async function runInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      stdout += chunk.toString();
      done();
    },
  });
  const io: CliIo = {
    stdout: stream,
    out: (line) => new Promise<void>((resolve) => stream.write(`${line}\n`, () => resolve())),
    err: (line) => {
      stderr += `${line}\n`;
    },
  };
  // Loaded on first use: a file that only spawns the binary does not load the CLI's code as well.
  const { cliMain } = await import('../../src/main/cli-main.js');
  const code = await cliMain(args, env, io);
  return { code, stdout, stderr };
}

async function spawnCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number | undefined) {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/main/cli.ts', ...args], { env, ...(timeoutMs ? { timeout: timeoutMs } : {}) });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number | null; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
