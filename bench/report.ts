import { spawn } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';
import { BENCH_SECRET, freshDatabase, machine, median, writeSection } from './lib.js';

/**
 * npm run bench:report — `airlock report` over BENCH_ACTIONS actions of one
 * tenant in its 30-day window (plus a tenth as many of another tenant in the
 * same table), seeded set-based with SQL: eight tools, decisions, approval
 * outcomes, reviewer groups, times to decision and results spread as a busy
 * tenant's would be, about 1 KB of arguments per action. Timed as the CLI
 * runs it (bench/report-command.ts, without Node's start-up), median of
 * BENCH_RUNS; and in the same run, as the floor, `psql -c` of one plain
 * GROUP BY over the same rows.
 *
 * Knobs: BENCH_ACTIONS (default 1,000,000), BENCH_RUNS (3).
 */
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POLICY_FILE = 'examples/policy.yml';
const TENANT = 'acme';
const TARGET_MS = 5_000;

/**
 * `n` actions of `tenant` from index `first`, created over the last 29.5 days (inside the default window however long the bench runs). Per action, r
 * (uniform in [0, 1)) picks the intake decision: 60 % allow, 10 % constrain, 3 % deny,
 * 2 % fallback, 25 % queued; a queued one ends approved (80 %), denied by reviewers
 * (8 %), expired (7 %: denied or fallen back on timeout), withdrawn by an admin (1 %)
 * or is still pending; half of what may execute reports a result, 1 in 199 of them a
 * mismatch. Time to decision: r2 * r3 of an hour (most within minutes, a long tail).
 */
const SEED_SQL = `
WITH src AS (
  SELECT i, gen_random_uuid() AS id, random() AS r, random() AS q, random() AS r2, random() AS r3, random() AS rr,
    now() - make_interval(secs => random() * 29.5 * 86400) AS created_at,
    (ARRAY['send_customer_email','issue_refund','search_orders','update_crm','deploy_service','read_docs','delete_records','post_message'])[1 + i % 8] AS tool
  FROM generate_series($2::bigint, $3::bigint) AS i
), shaped AS (
  SELECT *,
    CASE WHEN r < 0.60 THEN 'allow' WHEN r < 0.70 THEN 'constrain' WHEN r < 0.73 THEN 'deny' WHEN r < 0.75 THEN 'fallback' ELSE 'queue_for_approval' END AS intake,
    CASE WHEN q < 0.80 THEN 'approved' WHEN q < 0.88 THEN 'denied' WHEN q < 0.95 THEN 'expired' WHEN q < 0.96 THEN 'withdrawn' ELSE 'pending' END AS ending
  FROM src
), final AS (
  SELECT *,
    CASE intake WHEN 'queue_for_approval' THEN (ARRAY['finance','leads','oncall'])[1 + i % 3] END AS reviewer_group,
    CASE
      WHEN intake <> 'queue_for_approval' THEN intake
      WHEN ending IN ('approved', 'denied', 'pending') THEN 'queue_for_approval'
      WHEN ending = 'expired' THEN CASE WHEN i % 2 = 0 THEN 'fallback' ELSE 'deny' END
      ELSE 'deny' END AS decision,
    CASE
      WHEN intake = 'allow' THEN 'allow' WHEN intake = 'constrain' THEN 'draft_write' WHEN intake = 'deny' THEN 'off' WHEN intake = 'fallback' THEN 'observe'
      WHEN ending IN ('approved', 'pending') THEN 'approval_required' WHEN ending = 'expired' AND i % 2 = 0 THEN 'draft_write' ELSE 'off' END AS mode
  FROM shaped
), executed AS (
  SELECT *,
    (rr < 0.5 AND (decision IN ('allow', 'constrain', 'fallback') OR (intake = 'queue_for_approval' AND ending = 'approved'))) AS has_result
  FROM final
), ins AS (
  INSERT INTO action_payloads (action_id, args, context)
  SELECT id, jsonb_build_object('to', 'customer' || i || '@example.com', 'subject', 'Your order ' || i,
      'body', repeat('Thank you for your patience while we looked into this. ', 15), 'order_id', 'o-' || i, 'locale', 'en-GB'),
    jsonb_build_object('ticket', 'SUP-' || i, 'confidence', round(r::numeric, 2))
  FROM executed
)
INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version, args_sha256,
  submitted_args_digest, summary, requester, workflow, environment, session_id, risk, effects, consequence, reviewer_group,
  required_approvals, expires_at, created_at, decided_at, result, latency_ms, request_hash)
SELECT id, $1, 'support-bot', tool,
  CASE
    WHEN has_result THEN CASE WHEN rr < 0.45 THEN 'succeeded' WHEN rr < 0.49 THEN 'failed' ELSE 'rolled_back' END
    WHEN intake <> 'queue_for_approval' THEN 'decided'
    WHEN ending = 'withdrawn' THEN 'denied'
    ELSE ending END,
  decision, mode,
  jsonb_build_array('agent support-bot is declared', 'tool ' || tool || ' is registered', 'context.confidence < 0.8: approval_required'),
  CASE WHEN ending = 'withdrawn' AND intake = 'queue_for_approval' THEN 'overrides.deny_tool' ELSE 'tools.' || tool || '.when[0]' END,
  'passed', md5(i::text) || '.3', encode(sha256(i::text::bytea), 'hex'), encode(sha256(i::text::bytea), 'hex'),
  'Tell customer ' || i || ' their refund is on its way', '{"id":"U0SAM","email":"sam@example.com"}', 'customer-support', 'production',
  'sess-' || (i % 977), 'high', '["external_effect","irreversible"]',
  'Sends an email to a customer with the subject "Your refund"; it cannot be unsent', reviewer_group,
  CASE WHEN reviewer_group IS NOT NULL THEN 1 END, CASE WHEN reviewer_group IS NOT NULL THEN created_at + interval '1 hour' END,
  created_at,
  CASE
    WHEN intake <> 'queue_for_approval' THEN created_at
    WHEN ending = 'pending' THEN NULL
    WHEN ending = 'expired' THEN created_at + interval '1 hour'
    ELSE created_at + make_interval(secs => r2 * r3 * 3600) END,
  CASE WHEN has_result THEN jsonb_build_object('outcome', CASE WHEN rr < 0.45 THEN 'succeeded' WHEN rr < 0.49 THEN 'failed' ELSE 'rolled_back' END,
    'argsCheck', CASE WHEN i % 199 = 0 THEN 'mismatch' ELSE 'match' END, 'at', created_at + interval '2 hours') END,
  2.5, md5(i::text)
FROM executed`;

async function seed(pool: pg.Pool, tenant: string, n: number, first: number) {
  const CHUNK = 100_000;
  for (let from = first; from < first + n; from += CHUNK) await pool.query(SEED_SQL, [tenant, from, Math.min(from + CHUNK, first + n) - 1]);
}

/** bench/report-command.ts in a child process; its own timing of the command. */
function report(databaseUrl: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const child = spawn('node', ['--import', 'tsx', 'bench/report-command.ts', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, AIRLOCK_SECRET: BENCH_SECRET, POLICY_FILE, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
  });
  let stdout = '';
  let figures = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stdio[3]!.on('data', (d) => (figures += d));
  return new Promise((resolve, reject) =>
    child.on('close', () => {
      const r = JSON.parse(figures) as { code: number; ms: number; problems: string[] };
      if (r.code !== 0) reject(new Error(`report ${args.join(' ')} failed: ${r.problems.join('; ')}`));
      else resolve({ ms: r.ms, stdout });
    }),
  );
}

/** The floor: one plain GROUP BY over the same window, through `psql -c`; milliseconds, psql's start-up included. */
const BASELINE_SQL = `SELECT tool, decision, count(*) FROM actions WHERE tenant_id = '${TENANT}' AND created_at >= now() - interval '30 days' GROUP BY tool, decision`;
function baseline(databaseUrl: string): Promise<number> {
  const start = performance.now();
  const child = spawn('psql', ['-X', '-q', databaseUrl, '-c', BASELINE_SQL], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`psql exited ${code}`)))));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const db = await freshDatabase('report');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const autovacuum = (await pool.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum;
    let t = performance.now();
    await seed(pool, TENANT, ACTIONS, 0);
    await seed(pool, 'globex', Math.round(ACTIONS / 10), ACTIONS);
    // What a running database has: statistics (autovacuum's analyze is off on this machine) and a visibility map.
    await pool.query('VACUUM ANALYZE actions');
    await pool.query('VACUUM ANALYZE action_payloads');
    const loadS = (performance.now() - t) / 1000;
    const size = (await pool.query<{ actions: string; payloads: string }>(
      "SELECT pg_size_pretty(pg_total_relation_size('actions')) AS actions, pg_size_pretty(pg_total_relation_size('action_payloads')) AS payloads",
    )).rows[0]!;
    const argsBytes = Number((await pool.query<{ b: number }>('SELECT avg(octet_length(args::text))::float8 AS b FROM action_payloads TABLESAMPLE SYSTEM (1)')).rows[0]!.b);
    console.log(`seeded ${fmt(ACTIONS)} + ${fmt(ACTIONS / 10)} actions (${Math.round(argsBytes)} B of args each; actions ${size.actions}, payloads ${size.payloads}) in ${loadS.toFixed(0)} s`);

    const runs: { reportMs: number; baselineMs: number; load: number }[] = [];
    let sample = '';
    for (let i = 0; i < RUNS; i++) {
      const r = await report(db.url, ['--tenant', TENANT]);
      const baselineMs = await baseline(db.url);
      sample = r.stdout;
      runs.push({ reportMs: r.ms, baselineMs, load: os.loadavg()[0]! });
      console.log(`run ${i + 1}: report ${fmt(r.ms)} ms, psql GROUP BY ${fmt(baselineMs)} ms, load ${os.loadavg()[0]!.toFixed(1)}`);
    }
    const json = JSON.parse((await report(db.url, ['--tenant', TENANT, '--json'])).stdout) as { actions: number };
    if (json.actions !== ACTIONS) throw new Error(`the report counted ${json.actions} actions, not ${ACTIONS}`);
    const tool = await report(db.url, ['--tenant', TENANT, '--tool', 'issue_refund']);

    const reportMs = median(runs.map((r) => r.reportMs));
    const baselineMs = median(runs.map((r) => r.baselineMs));
    const loads = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    await writeSection(
      'report',
      `## Evidence: \`npm run bench:report\`

Machine: ${machine()}; Postgres 15 on the same machine, **autovacuum ${autovacuum}** in this machine's configuration (the bench runs \`VACUUM ANALYZE\` after seeding, as autovacuum would have). The machine was shared with other engineers' test runs while this ran (load average ${loads} at the end, on ${os.cpus().length} cores), so wall-clock figures are noisy: the baseline is measured in the same runs and the ratio is the figure to compare.
Data: ${fmt(ACTIONS)} actions of tenant ${TENANT} over its default 30-day window plus ${fmt(ACTIONS / 10)} of another tenant in the same table, seeded by SQL (\`generate_series\`, ${(loadS).toFixed(0)} s): eight tools; 60 % allowed, 10 % constrained, 3 % denied, 2 % fallen back, 25 % queued to three reviewer groups (of those 80 % approved, 8 % denied, 7 % expired, 1 % withdrawn, 4 % pending); half of what may run reports a result; ${Math.round(argsBytes)} B of arguments per action. Table sizes: actions ${size.actions}, action_payloads ${size.payloads}.

| command | median of ${RUNS} | baseline in the same runs | ratio | target |
|---|---|---|---|---|
| \`npm run airlock -- report --tenant ${TENANT}\` (timed inside the process: pool, policy, query, formatting) | ${fmt(reportMs)} ms | ${fmt(baselineMs)} ms: \`psql -c "SELECT tool, decision, count(*) FROM actions WHERE tenant_id = '${TENANT}' AND created_at >= now() - interval '30 days' GROUP BY tool, decision"\` | ${(reportMs / baselineMs).toFixed(2)}× | ≤ ${fmt(TARGET_MS)} ms |
| \`… report --tenant ${TENANT} --tool issue_refund\` (one run) | ${fmt(tool.ms)} ms | | | |

Per run (report ms, baseline ms; load average): ${runs.map((r) => `${fmt(r.reportMs)}, ${fmt(r.baselineMs)}; ${r.load.toFixed(1)}`).join(' | ')}.
The report is one read-only statement making two passes over the window's rows, none of which reaches the process: a hash aggregation counts them by the columns every figure derives from (a few hundred groups), folded three ways (\`GROUPING SETS\`: tool × decision × mode, tool, reviewer group) with \`FILTER\` sums; and \`percentile_cont\` over the actions reviewers decided only. JIT is off for it. Node's and tsx's start-up (a second or more on this machine) is outside the figure. Knobs: \`BENCH_ACTIONS\` (default 1,000,000), \`BENCH_RUNS\` (3).

The people format it printed (first lines):

\`\`\`
${sample.split('\n').slice(0, 14).join('\n')}
\`\`\``,
    );
    console.log(`report median ${fmt(reportMs)} ms, baseline ${fmt(baselineMs)} ms (${(reportMs / baselineMs).toFixed(2)}×); written to BENCHMARKS.md`);
  } finally {
    await pool.end();
    await db.drop();
  }
}

await main();
