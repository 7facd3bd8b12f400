import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

let db: TestDatabase;
const env = () => ({ DATABASE_URL: db.url, POLICY_FILE: 'examples/policy.yml' });
/** The real binary, as a process: what it prints, how it exits (the smoke tests of the command groups). */
const PROCESS = { spawn: true };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('airlock CLI', () => {
  it('migrate is idempotent', async () => {
    const out = await runCli(['migrate'], env(), PROCESS);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('up to date');
  });

  it('agent create prints one JSON line with a key that is stored only as a hash', async () => {
    const out = await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'ops-bot'], env(), PROCESS);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!);
    expect(created).toMatchObject({ tenant: 'acme', agent: 'ops-bot' });
    expect(created.key).toMatch(/^alk_/);
    const pg = await import('pg');
    const c = new pg.default.Client({ connectionString: db.url });
    await c.connect();
    const stored = JSON.stringify((await c.query('SELECT * FROM agents')).rows);
    await c.end();
    expect(stored).not.toContain(created.key);
  });

  it('agent create refuses tenants and agents the policy does not declare, and a second key', async () => {
    const unknownTenant = await runCli(['agent', 'create', '--tenant', 'initech', '--name', 'ops-bot'], env());
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toContain('tenant initech is not declared');
    const unknownAgent = await runCli(['agent', 'create', '--tenant', 'globex', '--name', 'ops-bot'], env());
    expect(unknownAgent.code).toBe(1);
    expect(unknownAgent.stderr).toContain('agent ops-bot is not declared');
    const again = await runCli(['agent', 'create', '--tenant', 'acme', '--name', 'ops-bot'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists: use agent rotate');
  });

  it('issues no key for names JavaScript objects already carry, and fails cleanly on such a tenant', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf']) {
      const out = await runCli(['agent', 'create', '--tenant', 'acme', '--name', name], env());
      expect(out.code, name).toBe(1);
      expect(out.stderr).toContain(`agent ${name} is not declared`);
    }
    const tenant = await runCli(['agent', 'create', '--tenant', 'constructor', '--name', 'support-bot'], env());
    expect(tenant.code).toBe(1);
    expect(tenant.stderr).toContain('tenant constructor is not declared');
    expect(tenant.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses to start with DATABASE_URL but no AIRLOCK_SECRET, saying so in one line', async () => {
    const out = await runCli(['migrate'], { ...env(), AIRLOCK_SECRET: '' }, PROCESS);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('AIRLOCK_SECRET: required when DATABASE_URL is set');
    expect(out.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('answers unknown commands and missing flags with usage and exit 2', async () => {
    const out = await runCli(['frobnicate'], env(), PROCESS);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('usage:');
    expect((await runCli(['agent', 'create', '--tenant', 'acme'], env())).code).toBe(2);
  });

  it('lists its commands for help, a group alone or --help, and prints its version', async () => {
    for (const args of [['help'], ['--help'], []]) {
      const out = await runCli(args, env());
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('agent rotate');
      expect(out.stdout).toContain('audit verify');
    }
    for (const [args, group, other] of [
      [['agent'], 'agent', 'audit'],
      [['audit'], 'audit', 'agent'],
      [['policy'], 'policy', 'agent'],
      [['help', 'audit'], 'audit', 'policy'],
      [['agent', '--help'], 'agent', 'policy'],
    ] as const) {
      {
        const out = await runCli([...args], env());
        expect(out.code, args.join(' ')).toBe(0);
        expect(out.stdout).toContain(`usage: npm run airlock -- ${group} <command>`);
        expect(out.stdout).toContain(`  ${group} `);
        expect(out.stdout).not.toContain(`  ${other} `);
      }
    }
    const unknown = await runCli(['agent', 'frobnicate'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: agent frobnicate');
    expect(unknown.stderr).toContain('agent revoke');
    const version = await runCli(['--version'], env());
    expect(version).toMatchObject({ code: 0, stdout: 'airlock 0.1.0\n', stderr: '' });
  });

  it('prints no JSON log lines on stderr for a normal call', async () => {
    const noPolicyFile = { DATABASE_URL: db.url, POLICY_FILE: undefined, LOG_LEVEL: undefined };
    for (const args of [['admin', '--tenant', 'acme', 'status'], ['migrate'], ['audit', 'verify', '--tenant', 'acme'], ['agent', 'list']]) {
      // admin as a process, as it loads the most (the core, the chat adapters, the queues): a line written past the CLI's own streams shows only there.
      const out = await runCli(args, noPolicyFile, args[0] === 'admin' ? PROCESS : {});
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr, args.join(' ')).not.toContain('{');
    }
  });

  it('checks the policy the server would load when no file is named', async () => {
    const named = await runCli(['policy', 'check'], { ...env(), POLICY_FILE: 'test/fixtures/approval-policy.yml' });
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('test/fixtures/approval-policy.yml: ok');
    const invalid = await runCli(['policy', 'check'], { ...env(), POLICY_FILE: 'test/fixtures/invalid-policy.yml' });
    expect(invalid.code).toBe(1);
    const fallback = await runCli(['policy', 'check'], { ...env(), POLICY_FILE: undefined });
    expect(fallback.stdout).toContain('examples/policy.yml: ok');
  });

  it('refuses a bad environment value naming the variable', async () => {
    const out = await runCli(['migrate'], { ...env(), PORT: 'abc' });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('PORT');
  });
});
