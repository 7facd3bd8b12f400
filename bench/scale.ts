import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { REDIS_URL, freshDatabase, machine, median, startServer, writeSection } from './lib.js';
import { cpuSnapshot, cpuUse } from './cpu.js';
import { flushRedis, openLoop, post, stats, until, type Stats } from './chat-lib.js';
import { EMAIL_ARGS, bytes } from './payloads.js';
import { FakeSlackApi } from '../test/fakes/fake-slack-api.js';
import { SIGNING_SECRET, signedSlashCommand } from '../test/support/slack-requests.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';

/**
 * npm run bench:scale — what 100,000 open approvals cost, measured from
 * outside against `npm start` (role all, Redis backend, Slack through a local
 * fake), every approval submitted through the API with about 1 KB of args.
 * The same measures at the start (a few thousand pending, after the warm-up) and at 100k pending, in the
 * same run, reported as ratios:
 *
 * - Postgres CPU while nothing happens (the reconciler's ticks);
 * - queued intake latency at 100 requests/s (open loop);
 * - `/airlock status` and `/airlock pending` (signed slash command → reply);
 * - then `incident on` over every open approval: reply, every one decided, every one's audit event written;
 *   baseline: one plain UPDATE of the same rows (rolled back), same run.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PENDING = Number(process.env.BENCH_PENDING ?? 100_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const RATE = 100;
// 3,000 samples per phase: a p99 of 1,000 is its 10th-worst request, one GC pause or host hiccup away from doubling.
const QUEUED_SECONDS = 30;
const ADMIN_SAMPLES = 5;
const REDIS_DB = 11;
const POLICY = 'bench/scale-policy.yml';
const TOOLS = ['send_email', 'issue_refund', 'rotate_secret', 'restart_service'];

interface Phase {
  pending: number;
  /** The database's own backends. */
  postgresIdle: number;
  /** Every postgres process on the machine (background writers included, and any other database's load). */
  allPostgresIdle: number;
  serverIdle: number;
  queued: Stats;
  status: number;
  pendingCmd: number;
}

interface Run {
  empty: Phase;
  full: Phase;
  loadRate: number;
  incident: { ended: number; replyMs: number; decidedMs: number; auditMs: number; baselineMs: number; updates: number; replyText: string; walBytes: number };
  load: number;
}

const body = (tool: string, workflow: string) =>
  JSON.stringify({ tool, args: EMAIL_ARGS, requester: { id: 'U0SAM', email: 'sam@example.com' }, summary: `please run ${tool}`, workflow });

async function runOnce(run: number): Promise<Run> {
  const db = await freshDatabase('scale');
  if (process.env.BENCH_LOG_SLOW_MS) {
    // Diagnosis: the server's statements slower than this go to the Postgres log.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${db.name} SET log_min_duration_statement = ${Number(process.env.BENCH_LOG_SLOW_MS)}`);
    await admin.end();
  }
  const redisUrl = new URL(REDIS_URL);
  redisUrl.pathname = `/${REDIS_DB}`;
  await flushRedis(redisUrl.toString());
  const slack = await FakeSlackApi.start();
  const server = await startServer({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl.toString(),
    POLICY_FILE: POLICY,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    // Cards posted as fast as the fake answers: with Slack's real pace (about one a second per channel) 100k cards take hours.
    AIRLOCK_CHAT_PACING: 'off',
  });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // The fake keeps every call; forget them while loading, or 100k cards fill this process's memory.
  const forget = setInterval(() => slack.reset(), 5_000);
  try {
    const policy = await FilePolicySource.open(POLICY);
    const auth = `Bearer ${(await makeCreateAgent({ agents: new PgAgentStore(pool), policy })('acme', 'bot')).key}`;
    const headers = { authorization: auth, 'content-type': 'application/json' };
    const url = `${server.base}/v1/actions`;
    const pendingNow = async () => Number((await pool.query("SELECT count(*) FROM actions WHERE status = 'pending'")).rows[0].count);
    const quiet = () =>
      until(async () => !(await pool.query("SELECT EXISTS (SELECT 1 FROM card_debts d JOIN actions a ON a.id = d.action_id AND a.round = d.round WHERE a.status = 'pending') AS owed")).rows[0].owed, 15 * 60_000, 500);

    let cmdSeq = 0;
    const slash = async (text: string) => {
      const id = `r${run}_${++cmdSeq}`;
      const { body: form, headers: h } = signedSlashCommand({ text, user: 'U0ADMIN', team: 'T0ACME', responseUrl: slack.responseUrl(id) });
      const t0 = Date.now();
      const ack = await post(`${server.base}/slack/events`, h, form);
      if (ack.status !== 200) throw new Error(`slash command ${text}: HTTP ${ack.status} ${ack.body}`);
      const reply = await slack.waitForCall('response_url', (c) => c.body.response_id === id, 60_000);
      return { ms: reply.at.getTime() - t0, at: t0, text: String(reply.body.text) };
    };

    /** Queued submissions open-loop at RATE for QUEUED_SECONDS: each one's POST → 201 time. */
    const queuedLoad = async (label: string): Promise<number[]> => {
      const lat: number[] = [];
      const inflight: Promise<void>[] = [];
      let failed = 0;
      await openLoop(RATE * QUEUED_SECONDS, RATE, (i) => {
        const t0 = performance.now();
        inflight.push(post(url, headers, body('send_email', `${label}-${i}`)).then((r) => {
          if (r.status !== 201) failed++;
          else lat.push(performance.now() - t0);
        }));
      }, performance.now());
      await Promise.all(inflight);
      if (failed > 0) throw new Error(`${label}: ${failed} queued submissions failed`);
      return lat;
    };

    const phase = async (label: string): Promise<Phase> => {
      if (!(await quiet())) throw new Error(`${label}: cards still owed after 15 minutes`);
      clearInterval(forget);
      slack.reset();
      const pending = await pendingNow();
      await sleep(3_000);
      // The server's connections to its database: their CPU is Airlock's, whatever else the machine runs.
      const backends = async () => (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid);
      const a = cpuSnapshot(server.proc.pid!, await backends());
      await sleep(IDLE_SECONDS * 1000);
      const idle = cpuUse(a, cpuSnapshot(server.proc.pid!, await backends()));
      const lat = await queuedLoad(label);
      const status: number[] = [];
      const pendingCmd: number[] = [];
      for (let i = 0; i < ADMIN_SAMPLES; i++) {
        status.push((await slash('status')).ms);
        pendingCmd.push((await slash('pending')).ms);
      }
      const p = { pending, postgresIdle: idle.backends, allPostgresIdle: idle.postgres, serverIdle: idle.server, queued: stats(lat), status: median(status), pendingCmd: median(pendingCmd) };
      console.log(`run ${run} ${label}: ${pending} pending; idle Postgres backends ${p.postgresIdle.toFixed(2)}% (all postgres ${p.allPostgresIdle.toFixed(1)}%) server ${p.serverIdle.toFixed(1)}%; queued p50 ${p.queued.p50.toFixed(1)} p99 ${p.queued.p99.toFixed(1)} ms; status ${p.status} ms, pending ${p.pendingCmd} ms`);
      return p;
    };

    // Warm-up (not counted): JIT, pools, prepared statements; then the measured
    // load itself once, so that the start phase is not the server's first
    // sustained load (its p99 was 49–144 ms against 25–51 ms at 100k without it).
    await autocannon({ url, method: 'POST', connections: 8, amount: 400, headers, body: body('send_email', 'warmup') });
    await queuedLoad('warmup');
    for (let i = 0; i < ADMIN_SAMPLES; i++) await slash(i % 2 ? 'pending' : 'status');
    const empty = await phase('start');

    // Up to PENDING open approvals, through the API, over the four groups.
    const toLoad = Math.max(0, PENDING - (await pendingNow()));
    const loadStart = performance.now();
    const loads = await Promise.all(
      TOOLS.map((tool) => autocannon({ url, method: 'POST', connections: 8, amount: Math.ceil(toLoad / TOOLS.length), headers, body: body(tool, 'load') })),
    );
    const bad = loads.reduce((n, r) => n + r.non2xx + r.errors, 0);
    if (bad > 0) throw new Error(`loading: ${bad} submissions failed`);
    const loadRate = toLoad / ((performance.now() - loadStart) / 1000);
    console.log(`run ${run}: loaded ${toLoad} approvals at ${loadRate.toFixed(0)}/s`);
    const full = await phase('full');

    // Incident mode over every open approval. Both it and the baseline below
    // start right after a checkpoint, so neither figure depends on where the
    // machine's WAL-triggered checkpoints happen to fall (each write of a page
    // after one logs the whole page).
    slack.reset();
    const before = await pendingNow();
    await pool.query('CHECKPOINT');
    const lsn0 = (await pool.query('SELECT pg_current_wal_insert_lsn() AS l')).rows[0].l;
    const t0 = Date.now();
    const replyP = slash('incident on bench');
    await until(async () => !(await pool.query("SELECT EXISTS (SELECT 1 FROM actions WHERE tenant_id = 'acme' AND status = 'pending') AS open")).rows[0].open, 120_000, 25);
    const decidedMs = Date.now() - t0;
    // Then every ended approval's audit event, owed by the change and written right after it.
    await until(async () => !(await pool.query('SELECT EXISTS (SELECT 1 FROM audit_debts) AS owed')).rows[0].owed, 120_000, 25);
    const auditMs = Date.now() - t0;
    const walBytes = Number((await pool.query('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS b', [lsn0])).rows[0].b);
    const events = Number((await pool.query("SELECT count(*) AS n FROM audit_events WHERE tenant_id = 'acme' AND kind = 'admin_change' AND action_id IS NOT NULL")).rows[0].n);
    if (events !== before) throw new Error(`incident: ${before} approvals ended but ${events} audit events written`);
    const reply = await replyP;
    await sleep(10_000);
    const updates = slack.calls('chat.update').length;
    const c = await pool.connect();
    let baselineMs: number;
    try {
      await c.query('CHECKPOINT');
      await c.query('BEGIN');
      const b0 = performance.now();
      const { rowCount } = await c.query("UPDATE actions SET status = 'expired', outcome_detail = 'baseline' WHERE tenant_id = 'acme' AND decided_at >= $1", [new Date(t0)]);
      baselineMs = performance.now() - b0;
      await c.query('ROLLBACK');
      if (rowCount !== before) console.log(`note: baseline updated ${rowCount} rows, the incident ended ${before}`);
    } finally {
      c.release();
    }
    const incident = { ended: before, replyMs: reply.ms, decidedMs, auditMs, baselineMs, updates, replyText: reply.text, walBytes };
    console.log(`run ${run} incident: ${before} ended; reply ${reply.ms} ms, all decided ${decidedMs} ms, all audited ${auditMs} ms; plain UPDATE ${baselineMs.toFixed(0)} ms; ${updates} card updates in the next 10 s; "${reply.text.slice(0, 160)}"`);
    return { empty, full, loadRate, incident, load: (await import('node:os')).loadavg()[0]! };
  } finally {
    clearInterval(forget);
    await pool.end();
    await server.stop();
    await slack.close();
    await db.drop();
  }
}

const f = (x: number, d = 0) => x.toFixed(d);
const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}×`;

async function main() {
  const runs: Run[] = [];
  for (let run = 1; run <= RUNS; run++) runs.push(await runOnce(run));
  const m = (pick: (r: Run) => number) => median(runs.map(pick));
  const mr = (pick: (r: Run) => number, base: (r: Run) => number) => median(runs.map((r) => pick(r) / base(r)));
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
  const idleRatio = mr((r) => r.full.postgresIdle, (r) => r.empty.postgresIdle);
  const p99Ratio = mr((r) => r.full.queued.p99, (r) => r.empty.queued.p99);
  const rows = [
    `| Postgres CPU while idle (the database's backends), % of a core | ${f(m((r) => r.empty.postgresIdle), 2)} | ${f(m((r) => r.full.postgresIdle), 2)} | ${idleRatio.toFixed(2)}× | ≤ 2×: ${verdict(idleRatio <= 2)} |`,
    `| every postgres process while idle (with background writers and anything else on the machine), % of a core | ${f(m((r) => r.empty.allPostgresIdle), 2)} | ${f(m((r) => r.full.allPostgresIdle), 2)} | ${mr((r) => r.full.allPostgresIdle, (r) => r.empty.allPostgresIdle).toFixed(2)}× |  |`,
    `| Airlock server CPU while idle, % of a core | ${f(m((r) => r.empty.serverIdle), 2)} | ${f(m((r) => r.full.serverIdle), 2)} | ${ratio(m((r) => r.empty.serverIdle), m((r) => r.full.serverIdle))} |  |`,
    `| queued intake p50 at ${RATE}/s, ms | ${f(m((r) => r.empty.queued.p50), 1)} | ${f(m((r) => r.full.queued.p50), 1)} | ${mr((r) => r.full.queued.p50, (r) => r.empty.queued.p50).toFixed(2)}× |  |`,
    `| queued intake p99 at ${RATE}/s, ms | ${f(m((r) => r.empty.queued.p99), 1)} | ${f(m((r) => r.full.queued.p99), 1)} | ${p99Ratio.toFixed(2)}× | ≤ 1.2×: ${verdict(p99Ratio <= 1.2)} |`,
    `| \`/airlock status\` → reply, ms | ${f(m((r) => r.empty.status))} | ${f(m((r) => r.full.status))} | ${mr((r) => r.full.status, (r) => r.empty.status).toFixed(2)}× |  |`,
    `| \`/airlock pending\` → reply, ms | ${f(m((r) => r.empty.pendingCmd))} | ${f(m((r) => r.full.pendingCmd))} | ${mr((r) => r.full.pendingCmd, (r) => r.empty.pendingCmd).toFixed(2)}× |  |`,
  ];
  const inc = (pick: (r: Run) => number) => m(pick);
  await writeSection(
    'scale',
    `## Scale: \`npm run bench:scale\`

Machine: ${machine()}; Postgres 15 (**autovacuum off** in this machine's configuration: nothing is vacuumed during a run, so the 100k rows and their updates stay as written) and Redis on the same machine. ${RUNS} runs, each on a fresh database and Redis database, medians shown; ratios are taken within each run, then the median.
\`npm start\` (one process, role all, Redis backend, \`bench/scale-policy.yml\`: one tenant, four reviewer groups with a Slack channel each), Slack Web API faked in the bench process (\`AIRLOCK_CHAT_PACING=off\`: cards as fast as the fake answers). Every approval is submitted through \`POST /v1/actions\` with ${bytes(EMAIL_ARGS)} bytes of \`args\`; no SQL bulk load.
After a warm-up (not counted: 400 submissions at 8 connections, then the queued load below once, and the slash commands), each phase starts once every owed card is posted: ${IDLE_SECONDS} s of idle (CPU from /proc: the Postgres backends connected to the run's database, every \`postgres\` process, the server process), then ${RATE * QUEUED_SECONDS} queued submissions open-loop at ${RATE}/s (POST → 201), then ${ADMIN_SAMPLES} signed \`/airlock status\` and \`/airlock pending\` slash commands each (POST → the reply at the fake's \`response_url\`).

| measure | start (${f(m((r) => r.empty.pending))} pending) | ${f(m((r) => r.full.pending))} pending | ratio | target |
|---|---|---|---|---|
${rows.join('\n')}

Then \`/airlock incident on\` with ${f(inc((r) => r.incident.ended))} open approvals (every one covered), right after a \`CHECKPOINT\` (as is the baseline), so that neither figure depends on where a WAL-triggered checkpoint falls. One transaction changes the override, ends every covered approval and records the audit events it owes them; a second writes those events right after (WAL written by both: ${f(inc((r) => r.incident.walBytes / r.incident.ended / 1024), 1)} KB per ended approval):

| | ms | target |
|---|---|---|
| reply at the \`response_url\` | ${f(inc((r) => r.incident.replyMs))} | ≤ 3000: ${verdict(inc((r) => r.incident.replyMs) <= 3000)} |
| every covered approval decided (polled every 25 ms) | ${f(inc((r) => r.incident.decidedMs))} | ≤ 5000: ${verdict(inc((r) => r.incident.decidedMs) <= 5000)} |
| every ended approval's audit event written (polled every 25 ms) | ${f(inc((r) => r.incident.auditMs))} |  |
| baseline, same run: one plain \`UPDATE\` of the same rows (no audit events, rolled back) | ${f(inc((r) => r.incident.baselineMs))} | ${(inc((r) => r.incident.decidedMs) / inc((r) => r.incident.baselineMs)).toFixed(1)}× of it |

Card updates after it are paced: ${f(inc((r) => r.incident.updates))} \`chat.update\` calls in the 10 s after the reply (the newest cards; the rest re-render when clicked). The reply: “${runs[0]!.incident.replyText.slice(0, 200)}”.

Loading (context): ${f(m((r) => r.loadRate))} queued submissions/s through the API at 32 connections.

Per run: ${runs.map((r, i) => `run ${i + 1} (load avg ${r.load.toFixed(2)}): idle Postgres ${f(r.empty.postgresIdle, 2)}% → ${f(r.full.postgresIdle, 2)}%, queued p99 ${f(r.empty.queued.p99, 1)} → ${f(r.full.queued.p99, 1)} ms, status ${f(r.empty.status)} → ${f(r.full.status)} ms, incident reply ${f(r.incident.replyMs)} ms, decided ${f(r.incident.decidedMs)} ms, audited ${f(r.incident.auditMs)} ms`).join('; ')}.`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
