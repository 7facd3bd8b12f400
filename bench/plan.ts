import { spawn } from 'node:child_process';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { recordedDecisionsQuery } from '../src/infra/postgres/recorded-decisions.js';
import { cliMain } from '../src/main/cli-main.js';
import { BENCH_SECRET, freshDatabase, machine, median, writeSection } from './lib.js';

/**
 * `npm run bench:plan`: `policy plan` over 1,000,000 recorded decisions of
 * one tenant, against reading the same rows with `COPY … TO STDOUT` (psql,
 * to /dev/null) in the same run: the replay's own cost is the difference.
 * Rows are seeded set-based by SQL with ~1 KB of arguments each.
 */
const ROWS = Number(process.env.PLAN_ROWS ?? 1_000_000);
const RUNS = 3;
const LIVE = 'test/fixtures/plan-policy.yml';

const db = await freshDatabase('plan');
const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-plan-'));
try {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const body = await readFile(LIVE, 'utf8');
  const candidate = join(dir, 'candidate.yml');
  // A change that loosens a third of the requests and leaves the rest: every row is evaluated through both policies.
  await writeFile(candidate, body.replace('    mode: approval_required\n', '    mode: allow\n'));
  const seedStart = performance.now();
  await pool.query(`
    INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version,
      args_sha256, submitted_args_digest, redact, requester, workflow, environment, session_id, risk, effects, created_at, decided_at, request_hash)
    SELECT md5(i::text)::uuid, 'acme', 'bot', CASE WHEN i % 3 = 0 THEN 'lookup_order' ELSE 'send_email' END, 'decided', 'allow', 'allow',
      '[]', 'bench', 'passed', 'bench.0', 'bench', 'bench', CASE WHEN i % 3 = 0 THEN '[]'::jsonb ELSE '["body"]'::jsonb END,
      jsonb_build_object('id', 'U' || (i % 500), 'email', 'user' || (i % 500) || '@acme.test'), 'support', 'production', 's-' || (i % 1000),
      'high', '[]', now() - (i % 86400) * interval '1 second', now(), NULL
    FROM generate_series(1, ${ROWS}) AS i`);
  await pool.query(`
    INSERT INTO action_payloads (action_id, args, context, overrides_version)
    SELECT md5(i::text)::uuid,
      jsonb_build_object('to', CASE WHEN i % 50 = 0 THEN 'x@competitor.example' ELSE 'customer' || i || '@example.com' END,
        'subject', 'Your order ' || i, 'body', '[redacted]', 'order_id', 'o-' || i, 'notes', repeat(md5(i::text), 28)),
      jsonb_build_object('confidence', (i % 100) / 100.0), 0
    FROM generate_series(1, ${ROWS}) AS i`);
  await pool.query('ANALYZE actions; ANALYZE action_payloads');
  await pool.query('INSERT INTO live_policy (file_version, body, loaded_at) VALUES ($1, $2, now())', ['bench', body]);
  const seedMs = performance.now() - seedStart;
  const until = new Date(Date.now() + 60_000).toISOString();
  const copySql = `COPY (${recordedDecisionsQuery("'acme'", `'${new Date(0).toISOString()}'`, `'${until}'`)}) TO STDOUT (FORMAT binary)`;
  await pool.end();

  const env = { DATABASE_URL: db.url, AIRLOCK_SECRET: BENCH_SECRET, POLICY_FILE: LIVE, LOG_LEVEL: 'silent' };
  const planTimes: number[] = [];
  const copyTimes: number[] = [];
  let rssPeakMb = 0;
  let summary = '';
  for (let run = 0; run < RUNS; run++) {
    const c0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const p = spawn('sh', ['-c', 'psql -X -q "$DB" -c "$COPY" > /dev/null'], { env: { ...process.env, DB: db.url, COPY: copySql }, stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}`))));
    });
    copyTimes.push(performance.now() - c0);

    const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20)), 100);
    let out = '';
    const t0 = performance.now();
    const code = await cliMain(['policy', 'plan', candidate, '--tenant', 'acme', '--since', '2000-01-01', '--until', until, '--json'], env, {
      stdout: process.stdout,
      out: async (line) => void (out += line),
      err: (line) => process.stderr.write(`${line}\n`),
    });
    planTimes.push(performance.now() - t0);
    clearInterval(sampler);
    const report = JSON.parse(out);
    if (code !== 3 || report.actions !== ROWS) throw new Error(`unexpected plan result: exit ${code}, ${report.actions} actions`);
    summary = `${report.actions} actions: ${report.unchanged} unchanged, ${JSON.stringify(report.counts)}`;
    console.log(`run ${run + 1}: plan ${(planTimes[run]! / 1000).toFixed(1)} s, COPY ${(copyTimes[run]! / 1000).toFixed(1)} s`);
  }
  const plan = median(planTimes) / 1000;
  const copy = median(copyTimes) / 1000;
  await writeSection(
    'plan',
    `## Policy plan (\`npm run bench:plan\`)

Replays ${ROWS.toLocaleString('en')} recorded decisions of one tenant (~1 KB of arguments each, seeded by SQL in ${(seedMs / 1000).toFixed(0)} s) through a candidate and the live policy, against reading the same rows with \`COPY (…) TO STDOUT (FORMAT binary)\` by psql to /dev/null in the same run. Median of ${RUNS} runs.
Machine: ${machine()}; Postgres with autovacuum off (this machine's config). Load average when the runs ended: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min). Target: ≤ 20 s for 1,000,000 decisions with flat memory.

| | seconds |
|---|---|
| \`policy plan\` (${summary}) | ${plan.toFixed(1)} |
| baseline: COPY of the same rows | ${copy.toFixed(1)} |
| ratio | ${(plan / copy).toFixed(1)}× |

Peak resident memory of the process running the plan, sampled every 100 ms over the three runs: ${rssPeakMb.toFixed(0)} MB. Rows stream through (binary COPY, paused while the replay catches up); only counts and a few example ids per transition and tool are kept.
Per run (plan, COPY): ${planTimes.map((p, i) => `${(p / 1000).toFixed(1)} s, ${(copyTimes[i]! / 1000).toFixed(1)} s`).join(' | ')}.`,
  );
  console.log(`plan ${plan.toFixed(1)} s, COPY ${copy.toFixed(1)} s, ratio ${(plan / copy).toFixed(1)}, peak RSS ${rssPeakMb.toFixed(0)} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
}
