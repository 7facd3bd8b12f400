import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

/**
 * `airlock report`: the figures a policy owner reads before giving a tool
 * more autonomy. A known history is written straight into the actions table
 * (each end of an approval as the store leaves it), so every count and
 * duration below is known exactly.
 */
let db: TestDatabase;
let env: Record<string, string>;

interface Seeded {
  tenant?: string;
  tool: string;
  status: string;
  decision: string;
  mode: string;
  rule?: string;
  group?: string;
  /** Days before now the action was created. */
  ageDays?: number;
  /** Seconds from the request to its decided_at. */
  decidedAfter?: number;
  result?: { outcome: string; argsCheck: 'match' | 'mismatch' };
}

const queued = (status: string, decidedAfter: number | undefined, more: Partial<Seeded> = {}): Seeded => ({
  tool: 'refund', status, decision: 'queue_for_approval', mode: status === 'denied' ? 'off' : 'approval_required', group: 'finance', decidedAfter, ...more,
});
const result = (outcome: string, argsCheck: 'match' | 'mismatch' = 'match') => ({ outcome, argsCheck });

const HISTORY: Seeded[] = [
  // refund: queued to finance. Reviewers decided five (after 30 s, 60 s, 120 s, 250 s, 600 s).
  queued('approved', 60),
  queued('succeeded', 120, { result: result('succeeded') }),
  queued('succeeded', 250, { result: result('succeeded', 'mismatch') }),
  queued('failed', 600, { result: result('failed') }),
  queued('denied', 30),
  // Nobody decided in time: denied on timeout, and fallen back to draft_write (then executed).
  queued('expired', 3600, { decision: 'deny', mode: 'off' }),
  queued('succeeded', 3600, { decision: 'fallback', mode: 'draft_write', result: result('succeeded') }),
  // An admin denied the tool while it waited.
  queued('denied', 10, { decision: 'deny', mode: 'off', rule: 'overrides.deny_tool' }),
  queued('pending', undefined),
  // Outside the default 30-day window.
  queued('approved', 5, { ageDays: 40 }),
  // send_email: decided at intake.
  { tool: 'send_email', status: 'decided', decision: 'allow', mode: 'allow' },
  { tool: 'send_email', status: 'decided', decision: 'allow', mode: 'allow' },
  { tool: 'send_email', status: 'rolled_back', decision: 'allow', mode: 'allow', result: result('rolled_back') },
  { tool: 'send_email', status: 'decided', decision: 'constrain', mode: 'draft_write' },
  { tool: 'send_email', status: 'decided', decision: 'fallback', mode: 'observe', rule: 'overrides.incident' },
  // page_oncall: one approval by oncall, after 45 s.
  queued('approved', 45, { tool: 'page_oncall', group: 'oncall' }),
  // A tool the policy does not register, named by an agent with terminal controls in it.
  { tool: 'evil\u001b[2J\nforged', status: 'decided', decision: 'deny', mode: 'off', rule: 'hard_boundary.unregistered_tool' },
  // Another tenant's action never counts.
  { tenant: 'other', tool: 'refund', status: 'decided', decision: 'allow', mode: 'allow' },
];

async function seed(rows: Seeded[]) {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const r of rows) {
      await c.query(
        `INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version,
           args_sha256, submitted_args_digest, requester, environment, risk, effects, reviewer_group, created_at, decided_at, result)
         VALUES ($1, $2, 'bot', $3, $4, $5, $6, '[]', $7, 'passed', 'v1', 'x', 'x', '{"id":"U0REQ"}', 'production', 'high', '[]', $8,
           now() - make_interval(days => $9), now() - make_interval(days => $9) + make_interval(secs => $10), $11)`,
        [randomUUID(), r.tenant ?? 'acme', r.tool, r.status, r.decision, r.mode, r.rule ?? `tools.${r.tool}.mode`, r.group ?? null,
          r.ageDays ?? 1, r.decidedAfter ?? null, r.result ? JSON.stringify({ ...r.result, at: new Date().toISOString() }) : null],
      );
    }
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '' };
  await seed(HISTORY);
});
afterAll(() => db.drop());

const report = (...args: string[]) => runCli(['report', ...args], env);
/** The binary as a process, for the report a person reads in a terminal. */
const reportProcess = (...args: string[]) => runCli(['report', ...args], env, { spawn: true });
/** The lines of one section of the people format, up to the next blank line. */
const section = (out: string, title: string) => {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
};
const rowOf = (lines: string[], first: string) => lines.find((l) => l.startsWith(`${first} `))!;

// One call starts a CLI process (Node, tsx, a pool); on a loaded two-core machine that alone can take half a minute.
describe('airlock report', { timeout: 120_000 }, () => {
  it('gives a policy owner per tool and reviewer group the approvals, approval rate and time to decision as numbers', async () => {
    const out = await report('--tenant', 'acme', '--json');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc.actions).toBe(16);
    const refund = doc.tools.find((t: { tool: string }) => t.tool === 'refund');
    expect(refund).toEqual({
      tool: 'refund',
      actions: 9,
      decisions: [{ decision: 'queue_for_approval', mode: 'approval_required', count: 9 }],
      fallbacks: 1,
      approvals: { queued: 9, approved: 4, denied: 1, expired: 2, withdrawn: 1, pending: 1, approval_rate: 0.8, time_to_decision_seconds: { p50: 120, p90: 460 } },
      results: { succeeded: 3, failed: 1, rolled_back: 0, args_mismatches: 1 },
    });
    const email = doc.tools.find((t: { tool: string }) => t.tool === 'send_email');
    expect(email.decisions).toEqual([
      { decision: 'allow', mode: 'allow', count: 3 },
      expect.objectContaining({ count: 1 }),
      expect.objectContaining({ count: 1 }),
    ]);
    expect(email.decisions).toEqual(expect.arrayContaining([{ decision: 'constrain', mode: 'draft_write', count: 1 }, { decision: 'fallback', mode: 'observe', count: 1 }]));
    expect(email).toMatchObject({ fallbacks: 1, approvals: { queued: 0, approval_rate: null, time_to_decision_seconds: { p50: null, p90: null } }, results: { rolled_back: 1 } });
    expect(doc.reviewer_groups).toEqual([
      { group: 'finance', approvals: expect.objectContaining({ queued: 9, approved: 4, approval_rate: 0.8, time_to_decision_seconds: { p50: 120, p90: 460 } }) },
      { group: 'oncall', approvals: expect.objectContaining({ queued: 1, approved: 1, approval_rate: 1, time_to_decision_seconds: { p50: 45, p90: 45 } }) },
    ]);
  });

  it('prints aligned tables with percentages and durations a person reads at a glance', async () => {
    const out = await reportProcess('--tenant', 'acme');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Evidence for tenant acme, \d{4}-\d\d-\d\d \d\d:\d\d UTC → \d{4}-\d\d-\d\d \d\d:\d\d UTC: 16 action\(s\)/);
    const approvals = section(out.stdout, 'Approvals');
    expect(approvals[0]).toMatch(/^TOOL\s+QUEUED\s+APPROVED\s+DENIED\s+EXPIRED\s+WITHDRAWN\s+PENDING\s+APPROVAL RATE\s+P50\s+P90$/);
    expect(rowOf(approvals, 'refund')).toMatch(/^refund\s+9\s+4\s+1\s+2\s+1\s+1\s+80\.0%\s+2m 0s\s+7m 40s$/);
    // Aligned: every row of a table is as wide as its header, and figures end under their heading.
    for (const line of approvals) expect(line.length).toBe(approvals[0]!.length);
    const decisions = section(out.stdout, 'Decisions at intake');
    const countEnd = decisions[0]!.indexOf('COUNT') + 'COUNT'.length;
    expect(rowOf(decisions, 'send_email')).toMatch(/^send_email\s+allow\s+allow\s+3\s+60\.0%$/);
    for (const line of decisions.slice(1)) expect(line[countEnd - 1]).toMatch(/\d/);
    expect(decisions.join('\n')).toMatch(/send_email\s+constrain\s+draft_write\s+1\s+20\.0%/);
    const results = section(out.stdout, 'Results');
    expect(rowOf(results, 'refund')).toMatch(/^refund\s+9\s+1\s+3\s+1\s+0\s+1$/);
    const groups = section(out.stdout, 'Reviewer groups');
    expect(rowOf(groups, 'oncall')).toMatch(/^oncall\s+1\s+1\s+0\s+0\s+0\s+0\s+100\.0%\s+45s\s+45s$/);
  });

  it('shows a tool name an agent sent with its terminal controls made visible, on one line', async () => {
    const out = await report('--tenant', 'acme');
    expect(out.stdout).not.toMatch(/\u001b/);
    expect(out.stdout).toContain('evil\\x1b[2J\\nforged');
    expect(out.stdout.split('\n').some((l) => l.startsWith('forged'))).toBe(false);
  });

  it('covers only the window asked for', async () => {
    const out = await report('--tenant', 'acme', '--since', '60d', '--json');
    expect(out.code).toBe(0);
    const refund = JSON.parse(out.stdout).tools.find((t: { tool: string }) => t.tool === 'refund');
    expect(refund.approvals).toMatchObject({ queued: 10, approved: 5 });
    const iso = await report('--tenant', 'acme', '--since', new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10), '--json');
    expect(JSON.parse(iso.stdout).actions).toBe(17);
  });

  it('reports one tool alone with --tool, its reviewer groups only', async () => {
    const out = await report('--tenant', 'acme', '--tool', 'page_oncall', '--json');
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc.tool).toBe('page_oncall');
    expect(doc.tools.map((t: { tool: string }) => t.tool)).toEqual(['page_oncall']);
    expect(doc.reviewer_groups.map((g: { group: string }) => g.group)).toEqual(['oncall']);
  });

  it('says so when the window holds no actions, and exits 0', async () => {
    const out = await report('--tenant', 'globex');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^No actions for tenant globex, .* UTC\.$/m);
    const tool = await report('--tenant', 'acme', '--tool', 'quick_deny', '--json');
    expect(tool.code).toBe(0);
    expect(JSON.parse(tool.stdout)).toMatchObject({ actions: 0, tools: [], reviewer_groups: [] });
  });

  it('refuses a tenant the policy does not declare, naming those it does', async () => {
    const out = await report('--tenant', 'acmee');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('unknown tenant "acmee"');
    expect(out.stderr).toMatch(/the policy declares .*"acme"/);
    expect(out.stdout).toBe('');
  });

  it('refuses a window it cannot read', async () => {
    const out = await report('--tenant', 'acme', '--since', 'last week');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('--since "last week" is neither a span back from now');
    const future = await report('--tenant', 'acme', '--since', '2999-01-01');
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('in the future');
  });

  it('runs with a read-only database role, as a policy owner\'s reporting job would', async () => {
    const role = `airlock_ro_${Date.now().toString(36)}`;
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      const url = new URL(db.url);
      url.username = role;
      const out = await runCli(['report', '--tenant', 'acme', '--json'], { ...env, DATABASE_URL: url.toString() });
      expect(out.stderr).not.toMatch(/permission denied/);
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout).actions).toBe(16);
    } finally {
      await c.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER; DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
      await c.end();
    }
  });

  it('writes nothing to the audit trail', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const before = (await c.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n;
      expect((await report('--tenant', 'acme')).code).toBe(0);
      expect((await c.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(before);
    } finally {
      await c.end();
    }
  });
});
