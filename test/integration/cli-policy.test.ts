import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { createTestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The policy file from the operator's shell: a broken edit must not lock the
 * CLI out (the servers keep running their last good policy, and so does the
 * CLI, with a warning), and `policy reload` reaches every running server
 * without anyone having to find a pid.
 */
let dir: string;
let file: string;
let good: string;
let first: TestAirlock;
let second: TestAirlock;
let env: Record<string, string>;

const GOOD = 'consequence: "Reads order {{args.order_id}}."';
const changed = () => good.replace(GOOD, 'consequence: "Reads order {{args.order_id}} (reloaded)."');
const broken = () => good.replace('risk: low', 'risk: extreme');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-policy-'));
  file = join(dir, 'policy.yml');
  good = await readFile('examples/policy.yml', 'utf8');
  await writeFile(file, good);
  first = await startAirlock({ policyFile: file });
  // A second server process on the same database: a reload request reaches both.
  second = await startAirlock({ policyFile: file, db: first.db });
  env = { DATABASE_URL: first.db.url, POLICY_FILE: file, REDIS_URL: '', SLACK_BOT_TOKEN: '' };
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airlock with a broken policy file', () => {
  it('keeps review, admin, audit and agent commands working from the policy the servers run, with a warning', { timeout: 120_000 }, async () => {
    const running = first.core.policy.current().fileVersion;
    await writeFile(file, broken());
    try {
      const [review, admin, audit, agents, check] = await Promise.all([
        runCli(['review', 'list', '--tenant', 'acme'], env),
        runCli(['admin', '--tenant', 'acme', 'status'], env),
        runCli(['audit', 'verify', '--tenant', 'acme'], env),
        runCli(['agent', 'list'], env),
        runCli(['policy', 'check'], env),
      ]);
      for (const [name, out] of Object.entries({ review, admin, audit, agents })) {
        expect(out.code, `${name}: ${out.stderr}`).toBe(0);
        expect(out.stderr, name).toContain(`${file} is invalid`);
        expect(out.stderr, name).toContain(`using the policy the server last loaded and still runs (version ${running}`);
      }
      expect(review.stdout).toContain('No pending approvals.');
      expect(admin.stdout).toContain('Airlock status for acme');
      expect(JSON.parse(audit.stdout)).toMatchObject({ tenant: 'acme', ok: true });
      expect(agents.stdout).toMatch(/no agents|TENANT/);
      // The check itself still names every error, and the servers still run the good version.
      expect(check.code).toBe(1);
      expect(check.stderr).toContain('tools.lookup_order.risk');
      expect(first.core.policy.current().fileVersion).toBe(running);
    } finally {
      await writeFile(file, good);
    }
  });

  it('refuses, saying how to get past it, when no server ever recorded a policy on the database', { timeout: 60_000 }, async () => {
    const empty = await createTestDatabase();
    await writeFile(file, broken());
    try {
      const out = await runCli(['review', 'list', '--tenant', 'acme'], { ...env, DATABASE_URL: empty.url });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('no running server has recorded a policy');
      expect(out.stderr).toContain('policy check');
      expect(out.stderr).toContain('POLICY_FILE');
      expect(out.stderr).toContain('tools.lookup_order.risk');
    } finally {
      await writeFile(file, good);
      await empty.drop();
    }
  });
});

describe('airlock policy reload', () => {
  it('has every running server reload its file, and says which version they run', { timeout: 60_000 }, async () => {
    // An unchanged file: no watcher fires, so only the request can make the servers reload.
    const reloads = [0, 0];
    const stops = [first, second].map((t, i) => t.core.policy.onReloaded(() => (reloads[i]! += 1)));
    try {
      const out = await runCli(['policy', 'reload'], env);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(`reloaded: the servers run policy version ${first.core.policy.current().fileVersion}`);
      await waitFor(() => reloads.every((n) => n > 0), { what: 'both servers to reload' });

      await writeFile(file, changed());
      const again = await runCli(['policy', 'reload'], env);
      expect(again.code, again.stderr).toBe(0);
      const version = again.stdout.match(/version (\w+)/)?.[1];
      expect(version).not.toBe(undefined);
      await waitFor(() => [first, second].every((t) => t.core.policy.current().fileVersion === version), { what: 'both servers on the new version' });
    } finally {
      for (const stop of stops) stop();
      await writeFile(file, good);
    }
  });

  it('sends nothing for an invalid file: lists its errors and the servers keep their policy', { timeout: 60_000 }, async () => {
    const running = first.core.policy.current().fileVersion;
    await writeFile(file, broken());
    try {
      const out = await runCli(['policy', 'reload'], env);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('tools.lookup_order.risk');
      expect(out.stderr).toContain('nothing was reloaded');
      expect(first.core.policy.current().fileVersion).toBe(running);
    } finally {
      await writeFile(file, good);
    }
  });

  it('says so when no server answers', { timeout: 60_000 }, async () => {
    const empty = await createTestDatabase();
    try {
      const out = await runCli(['policy', 'reload'], { ...env, DATABASE_URL: empty.url });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('no server reported loading the file');
    } finally {
      await empty.drop();
    }
  });
});
