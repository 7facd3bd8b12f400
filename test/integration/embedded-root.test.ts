import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { runCli } from '../support/run-cli.js';

/**
 * Root in a directory other users cannot enter (a clone under /root, mode
 * 700): Postgres refuses to run as root, so the embedded cluster would run as
 * the `postgres` user, who cannot reach it. Airlock must stop at once with one
 * line saying what to do, and leave nothing behind.
 */
const asRoot = process.getuid?.() === 0;
let privateDir: string;

beforeAll(async () => {
  privateDir = await mkdtemp(join(tmpdir(), 'airlock-private-')); // mode 700
});
afterAll(async () => {
  await rm(privateDir, { recursive: true, force: true });
});

const env = () => {
  const e: Record<string, string | undefined> = { ...process.env, AIRLOCK_DATA_DIR: join(privateDir, '.data') };
  delete e.DATABASE_URL;
  delete e.LOG_LEVEL;
  delete e.AIRLOCK_SECRET;
  return e;
};
const passwordFiles = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('pg-password-'));

function startServer(): Promise<{ code: number | null; stderr: string }> {
  return freePort().then(
    (port) =>
      new Promise((resolve) => {
        const proc = spawn('node', ['--import', 'tsx', 'src/main/start.ts'], { env: { ...env(), PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        proc.stderr.on('data', (d) => (stderr += d));
        proc.once('exit', (code) => resolve({ code, stderr }));
      }),
  );
}

describe.skipIf(!asRoot)('the embedded Postgres as root, in a directory the postgres user cannot enter', () => {
  it('stops the CLI and the server at once with one line saying what to do, and leaves nothing behind', { timeout: 30_000 }, async () => {
    const before = await passwordFiles();

    // A process, as the server below: the OS user it runs as and the cluster it starts are what this is about.
    const cli = await runCli(['migrate'], env(), { spawn: true });
    expect(cli.code).toBe(1);
    const lines = cli.stderr.trim().split('\n');
    expect(lines, cli.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^airlock: .*"postgres" user.*cannot enter .*AIRLOCK_DATA_DIR.*DATABASE_URL/);

    const server = await startServer();
    expect(server.code).toBe(1);
    expect(server.stderr.trim().split('\n'), server.stderr).toHaveLength(1);
    expect(server.stderr).toMatch(/^airlock: failed to start: .*"postgres" user/);

    expect(await readdir(privateDir)).toEqual([]);
    expect(await passwordFiles()).toEqual(before);
  });
});
