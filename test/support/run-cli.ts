import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TEST_SECRET } from './secret.js';

const run = promisify(execFile);

/** Runs `airlock <args>` as a child process, the way an operator would; `timeoutMs` kills one that hangs (its code is then null). */
export async function runCli(args: string[], env: Record<string, string | undefined>, opts: { timeoutMs?: number } = {}) {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/main/cli.ts', ...args], {
      env: { ...process.env, AIRLOCK_SECRET: TEST_SECRET, ...env },
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
