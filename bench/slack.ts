import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ADMIN_URL, REDIS_URL, freshDatabase, machine, median, percentile, startServer, writeSection } from './lib.js';
import { FakeSlackApi } from '../test/fakes/fake-slack-api.js';
import { SIGNING_SECRET, approveClick, slackHeaders } from '../test/support/slack-requests.js';
import { createQueueFactory } from '../src/infra/queue/backend.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';

/**
 * npm run bench:slack — the approval loop against a real server process
 * (role all) whose Slack Web API is a local fake in this process, once per
 * queue backend (Redis, BullMQ's PostgreSQL backend), each run on a fresh
 * database:
 *
 * - card latency: `send_email` submitted open-loop at RATE/s; POST sent →
 *   the fake receives the card's chat.postMessage;
 * - clicks, interleaved with that load on freshly carded actions: signed
 *   Approve interactions to /slack/events; ack = HTTP response time;
 *   click sent → the fake receives the chat.update showing "Approved"
 *   (and → `decided_at` in Postgres);
 * - timeouts, interleaved too: `quick_deny` (2 s, on_timeout deny);
 *   lateness = decided_at − expires_at;
 * - queue-only baseline, same backend, after the server is stopped: Queue in
 *   this process, Worker in a child process, add → picked up.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CLICK_MAX = 200;
const CLICK_MAX_RATE = 20;
const TIMEOUTS = 50;
const BASELINE_SECONDS = Math.min(5, SECONDS);
// Clicks start once some cards exist and are spread evenly over the rest of the window.
const CLICK_START_MS = Math.min(1000, (SECONDS * 1000) / 4);
const CLICK_COUNT = Math.max(1, Math.min(CLICK_MAX, Math.floor(((SECONDS * 1000 - CLICK_START_MS) / 1000) * CLICK_MAX_RATE)));
const CLICK_RATE = CLICK_COUNT / ((SECONDS * 1000 - CLICK_START_MS) / 1000);
const WARMUP = 50;
const STRAGGLER_MS = 30_000;
const POLICY = 'test/fixtures/approval-policy.yml';
const REDIS_DB = 12;
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',').filter(Boolean) as Backend[];

type Backend = 'redis' | 'postgres';
type Stats = { p50: number; p99: number; max: number; n: number };

interface RunResult {
  load: number;
  /** This process's event-loop delay p99 during the window (ms): the fake's timestamps are only as good as this. */
  benchLag: number;
  intake: Stats;
  submitted: number;
  rejected: number;
  cards: number;
  duplicateCards: number;
  card: Stats;
  clicks: number;
  clickSkipped: number;
  acked: number;
  ack: Stats;
  updated: number;
  clickToUpdate: Stats;
  clickToDecided: Stats;
  timeouts: number;
  expired: number;
  lateness: Stats;
  baselineJobs: number;
  baseline: Stats;
  /** CPU used during the measured window, percent of one core. */
  cpu: CpuUse;
}

// ---------------------------------------------------------------- helpers

function assertLocal(what: string, url: string) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`${what} must point at 127.0.0.1 (got ${host}); this benchmark targets nothing else`);
}

function stats(xs: number[]): Stats {
  if (xs.length === 0) return { p50: NaN, p99: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]!, n: s.length };
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over a keep-alive connection to 127.0.0.1. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: keepAlive, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Open loop: call `fire(i)` at start + i/rate, whether or not earlier
 * requests have answered; late ticks fire at once (no coordinated omission).
 */
async function openLoop(count: number, rate: number, fire: (i: number) => void, start: number) {
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    fire(i);
  }
}

async function until(check: () => boolean | Promise<boolean>, deadlineMs: number, intervalMs = 50) {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/** Ends a child this bench started: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(proc: ChildProcess, graceful: () => void, graceMs = 15_000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  graceful();
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const c of children) c.kill('SIGTERM');
    process.exit(130);
  });
}

function redisDbUrl() {
  const u = new URL(REDIS_URL);
  u.pathname = `/${REDIS_DB}`;
  return u.toString();
}

async function flushRedis(url: string) {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  await r.flushdb();
  r.disconnect();
}

// ---------------------------------------------------------------- what the fake Slack saw

/** Reads the fake's recorded calls incrementally: first card per action, first "Approved" update per clicked action. */
class SlackLog {
  private seen = 0;
  readonly cardAt = new Map<string, number>();
  readonly cardOrder: string[] = [];
  duplicateCards = 0;
  readonly approvedAt = new Map<string, number>();
  private readonly watching = new Set<string>();

  constructor(private readonly fake: FakeSlackApi) {}

  /** An action about to be clicked: look for its "Approved" update from now on. */
  watch(id: string) {
    this.watching.add(id);
  }

  sync() {
    const calls = this.fake.calls();
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c.status !== 200) continue;
      if (c.method === 'chat.postMessage') {
        const id = (c.body.metadata as { event_payload?: { action_id?: string } } | undefined)?.event_payload?.action_id;
        if (!id) continue; // reminders and notices carry no card metadata
        if (this.cardAt.has(id)) this.duplicateCards++;
        else {
          this.cardAt.set(id, c.at.getTime());
          this.cardOrder.push(id);
        }
      } else if (c.method === 'chat.update') {
        const blocks = c.body.blocks as { text?: { text?: string } }[] | undefined;
        if (!Array.isArray(blocks) || !blocks[0]?.text?.text?.includes('Approved')) continue;
        const json = JSON.stringify(blocks);
        for (const id of this.watching) {
          if (json.includes(id)) {
            this.watching.delete(id);
            this.approvedAt.set(id, c.at.getTime());
            break;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- one run

interface Submitted {
  sentAt: number;
  t0: number;
  responseMs: number;
  status: number;
  id?: string;
}

async function runOnce(backend: Backend, run: number): Promise<RunResult> {
  const load = os.loadavg()[0]!;
  const redisUrl = backend === 'redis' ? redisDbUrl() : undefined;
  if (redisUrl) await flushRedis(redisUrl);
  const db = await freshDatabase(`slack_${backend}`);
  const fake = await FakeSlackApi.start({ emails: { U0LEAD1: 'lead1@acme.test', U0SAM: 'sam@acme.test' } });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on("error", () => undefined);
  try {
    server = await startServer({
      DATABASE_URL: db.url,
      // Empty is unset: the PostgreSQL backend.
      REDIS_URL: redisUrl ?? '',
      POLICY_FILE: POLICY,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: fake.url,
      PUBLIC_URL: '',
      HOST: '127.0.0.1',
      AIRLOCK_ROLE: 'all',
    });
    children.add(server.proc);
    const base = server.base;
    const policy = await FilePolicySource.open(POLICY);
    const auth = `Bearer ${(await makeCreateAgent({ agents: new PgAgentStore(pool), policy })('acme', 'bot')).key}`;
    const submitHeaders = { authorization: auth, 'content-type': 'application/json' };
    const slack = new SlackLog(fake);
    const inflight: Promise<unknown>[] = [];

    const submit = (tool: string, i: number, into: Submitted[]) => {
      const body = JSON.stringify({
        tool,
        args: tool === 'send_email' ? { to: `customer${i}@example.com`, subject: `Your order ${i}`, body: 'Hello' } : { n: i },
        requester: { id: 'U0SAM' },
        summary: `bench ${tool} ${i}`,
        workflow: 'bench',
      });
      const rec: Submitted = { sentAt: Date.now(), t0: performance.now(), responseMs: NaN, status: 0 };
      into.push(rec);
      inflight.push(
        post(`${base}/v1/actions`, submitHeaders, body).then(
          (r) => {
            rec.responseMs = performance.now() - rec.t0;
            rec.status = r.status;
            if (r.status === 201) rec.id = (JSON.parse(r.body) as { id: string }).id;
          },
          () => {
            rec.status = -1;
          },
        ),
      );
    };

    interface Click {
      id: string;
      sentAt: number;
      t0: number;
      ackMs: number;
      status: number;
    }
    const click = (id: string, into: Click[]) => {
      const payload = approveClick({ user: 'U0LEAD1', actionId: id }) as unknown as Record<string, unknown>;
      payload.channel = { id: 'C0LEADS', name: 'leads' };
      payload.container = { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0LEADS', is_ephemeral: false };
      // Never used by Airlock; pointed at the fake anyway so nothing can leave 127.0.0.1.
      payload.response_url = fake.responseUrl('click');
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const headers = slackHeaders(body);
      slack.watch(id);
      const rec: Click = { id, sentAt: Date.now(), t0: performance.now(), ackMs: NaN, status: 0 };
      into.push(rec);
      inflight.push(
        post(`${base}/slack/events`, headers, body).then(
          (r) => {
            rec.ackMs = performance.now() - rec.t0;
            rec.status = r.status;
          },
          () => {
            rec.status = -1;
          },
        ),
      );
    };

    // Warm-up, not measured: a few cards and clicks so JIT, pools and connections are warm.
    const warm: Submitted[] = [];
    await openLoop(WARMUP, 50, (i) => submit('send_email', -1 - i, warm), performance.now());
    await Promise.all(inflight.splice(0));
    await until(() => (slack.sync(), warm.every((w) => !w.id || slack.cardAt.has(w.id))), STRAGGLER_MS);
    const warmClicks: Click[] = [];
    for (const w of warm.slice(0, 5)) if (w.id) click(w.id, warmClicks);
    await Promise.all(inflight.splice(0));
    await until(() => (slack.sync(), warmClicks.every((c) => slack.approvedAt.has(c.id))), STRAGGLER_MS);
    const warmIds = new Set(warm.map((w) => w.id));

    // Measured: send_email at RATE/s; clicks and quick_deny interleaved over the same window.
    const emails: Submitted[] = [];
    const quick: Submitted[] = [];
    const clicks: Click[] = [];
    const emailIds = new Set<string>();
    const clicked = new Set<string>();
    let clickSkipped = 0;
    const submitCount = Math.round(SECONDS * RATE);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const cpuBefore = cpuSnapshot(server.proc.pid!);
    const start = performance.now();
    await Promise.all([
      openLoop(submitCount, RATE, (i) => submit('send_email', i, emails), start),
      openLoop(TIMEOUTS, TIMEOUTS / SECONDS, (i) => submit('quick_deny', i, quick), start + 5),
      openLoop(
        CLICK_COUNT,
        CLICK_RATE,
        () => {
          // A reviewer clicks the newest card not clicked yet.
          slack.sync();
          for (const e of emails) if (e.id && !emailIds.has(e.id)) emailIds.add(e.id);
          for (let k = slack.cardOrder.length - 1; k >= 0; k--) {
            const id = slack.cardOrder[k]!;
            if (emailIds.has(id) && !clicked.has(id) && !warmIds.has(id)) {
              clicked.add(id);
              click(id, clicks);
              return;
            }
          }
          clickSkipped++;
        },
        start + CLICK_START_MS,
      ),
    ]);
    await Promise.all(inflight.splice(0));
    const cpu = cpuUse(cpuBefore, cpuSnapshot(server.proc.pid!));
    lag.disable();

    // Stragglers: every card, every clicked action's update, every quick_deny expired.
    const accepted = emails.filter((e) => e.id);
    await until(() => (slack.sync(), accepted.every((e) => slack.cardAt.has(e.id!)) && clicks.every((c) => slack.approvedAt.has(c.id))), STRAGGLER_MS);
    const quickIds = quick.flatMap((q) => (q.id ? [q.id] : []));
    let expired = 0;
    await until(async () => {
      expired = Number((await pool.query("SELECT count(*) AS n FROM actions WHERE id = ANY($1) AND status = 'expired'", [quickIds])).rows[0].n);
      return expired === quickIds.length;
    }, 2_000 + STRAGGLER_MS, 200);
    slack.sync();

    const card = accepted.flatMap((e) => (slack.cardAt.has(e.id!) ? [slack.cardAt.get(e.id!)! - e.sentAt] : []));
    const acked = clicks.filter((c) => c.status === 200);
    const clickToUpdate = clicks.flatMap((c) => (slack.approvedAt.has(c.id) ? [slack.approvedAt.get(c.id)! - c.sentAt] : []));
    const decidedRows = (await pool.query("SELECT id, extract(epoch FROM decided_at) * 1000 AS at FROM actions WHERE id = ANY($1) AND status = 'approved'", [clicks.map((c) => c.id)])).rows as { id: string; at: string }[];
    const decidedAt = new Map(decidedRows.map((r) => [r.id, Number(r.at)]));
    const clickToDecided = clicks.flatMap((c) => (decidedAt.has(c.id) ? [decidedAt.get(c.id)! - c.sentAt] : []));
    const lateRows = (await pool.query("SELECT extract(epoch FROM decided_at - expires_at) * 1000 AS late FROM actions WHERE id = ANY($1) AND status = 'expired'", [quickIds])).rows as { late: string }[];

    await stopChild(server.proc, () => server!.proc.kill('SIGTERM'));
    children.delete(server.proc);
    server = undefined;

    const baseline = await queueBaseline(backend, redisUrl ?? db.url);

    const result: RunResult = {
      load,
      benchLag: lag.percentile(99) / 1e6,
      intake: stats(accepted.map((e) => e.responseMs)),
      submitted: emails.length,
      rejected: emails.length - accepted.length + quick.filter((q) => !q.id).length,
      cards: card.length,
      duplicateCards: slack.duplicateCards,
      card: stats(card),
      clicks: clicks.length,
      clickSkipped,
      acked: acked.length,
      ack: stats(acked.map((c) => c.ackMs)),
      updated: clickToUpdate.length,
      clickToUpdate: stats(clickToUpdate),
      clickToDecided: stats(clickToDecided),
      timeouts: quick.length,
      expired,
      lateness: stats(lateRows.map((r) => Number(r.late))),
      baselineJobs: baseline.jobs,
      baseline: baseline.stats,
      cpu,
    };
    console.log(
      `${backend} run ${run}: intake p50 ${f(result.intake.p50)} p99 ${f(result.intake.p99)}; cards ${result.cards}/${result.submitted} p50 ${f(result.card.p50)} p99 ${f(result.card.p99)}; ` +
        `clicks ${result.acked}/${result.clicks} ack p99 ${f(result.ack.p99)}, → update p50 ${f(result.clickToUpdate.p50)} p99 ${f(result.clickToUpdate.p99)} (${result.updated}); ` +
        `timeouts ${result.expired}/${result.timeouts} late p99 ${f(result.lateness.p99)} max ${f(result.lateness.max)}; ` +
        `baseline p50 ${f(result.baseline.p50)} p99 ${f(result.baseline.p99)}; load ${load.toFixed(2)}, bench loop delay p99 ${f(result.benchLag)}; ` +
        `CPU % of a core: server ${result.cpu.server.toFixed(0)}, postgres ${result.cpu.postgres.toFixed(0)}, bench ${result.cpu.bench.toFixed(0)}, machine ${result.cpu.busy.toFixed(0)}/200, steal ${result.cpu.steal.toFixed(0)}`,
    );
    return result;
  } finally {
    if (server) {
      await stopChild(server.proc, () => server!.proc.kill('SIGTERM'));
      children.delete(server.proc);
    }
    await pool.end();
    await fake.close();
    if (process.env.BENCH_KEEP_DB) console.log(`kept database ${db.name}`);
    else await db.drop();
    if (redisUrl) await flushRedis(redisUrl);
  }
}

// ---------------------------------------------------------------- queue-only baseline

/** Jobs added at RATE/s by a Queue here, picked up by a Worker in a child process: add called → processor starts. */
async function queueBaseline(backend: Backend, url: string): Promise<{ stats: Stats; jobs: number }> {
  const name = 'bench-baseline';
  const child = spawn('node', ['--import', 'tsx', 'bench/queue-worker.ts'], {
    env: { ...process.env, BENCH_QUEUE_KIND: backend, BENCH_QUEUE_URL: url, BENCH_QUEUE_NAME: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const picked = new Map<number, number>();
  const factory = await createQueueFactory(backend === 'redis' ? { kind: 'redis', url } : { kind: 'postgres', url });
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; i?: number; at?: number }) => {
        if (m.ready) resolve();
        else if (m.i !== undefined && m.at !== undefined) picked.set(m.i, m.at);
      });
      child.once('exit', (code) => reject(new Error(`queue worker exited (${code})`)));
      setTimeout(() => reject(new Error('queue worker not ready after 60 s')), 60_000).unref();
    });
    const queue = factory.queue<{ i: number }>(name);
    await queue.waitUntilReady();
    const added = new Map<number, number>();
    const add = (i: number) => {
      added.set(i, Date.now());
      void queue.add('job', { i }, { removeOnComplete: true, removeOnFail: 1000, attempts: 8, backoff: { type: 'exponential', delay: 500 } }).catch(() => undefined);
    };
    // Warm-up, not measured.
    for (let i = -1; i >= -20; i--) add(i);
    await until(() => [...added.keys()].every((i) => picked.has(i)), STRAGGLER_MS);
    const count = BASELINE_SECONDS * RATE;
    await openLoop(count, RATE, add, performance.now());
    await until(() => picked.size >= count + 20, STRAGGLER_MS);
    const lat: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = picked.get(i);
      if (at !== undefined) lat.push(at - added.get(i)!);
    }
    return { stats: stats(lat), jobs: count };
  } finally {
    await stopChild(child, () => child.send('stop'));
    children.delete(child);
    await factory.close();
  }
}

// ---------------------------------------------------------------- report

const f = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : '—');

function table(rows: RunResult[]) {
  const m = (get: (r: RunResult) => number) => median(rows.map(get));
  const line = (label: string, get: (r: RunResult) => Stats, count: string, target: string) =>
    `| ${label} | ${f(m((r) => get(r).p50))} | ${f(m((r) => get(r).p99))} | ${f(m((r) => get(r).max))} | ${count} | ${target} |`;
  const sum = (get: (r: RunResult) => number) => rows.reduce((a, r) => a + get(r), 0);
  const cardP99 = m((r) => r.card.p99);
  const ackP99 = m((r) => r.ack.p99);
  const lateMax = m((r) => r.lateness.max);
  const ok = (b: boolean) => (b ? 'met' : '**missed**');
  return `| | p50 ms | p99 ms | max ms | arrived / sent (all runs) | target |
|---|---|---|---|---|---|
${line('(context) intake: POST → 201 response', (r) => r.intake, `${sum((r) => r.intake.n)} / ${sum((r) => r.submitted)}`, '')}
${line('card: POST sent → chat.postMessage', (r) => r.card, `${sum((r) => r.cards)} / ${sum((r) => r.submitted)}`, `p99 < 100 ms: ${ok(cardP99 < 100)}`)}
${line('click ack (HTTP response to /slack/events)', (r) => r.ack, `${sum((r) => r.acked)} / ${sum((r) => r.clicks)}`, `p99 < 100 ms: ${ok(ackP99 < 100)}`)}
${line('click → decision + chat.update "Approved"', (r) => r.clickToUpdate, `${sum((r) => r.updated)} / ${sum((r) => r.clicks)}`, '')}
${line('click → decision recorded (`decided_at`)', (r) => r.clickToDecided, `${sum((r) => r.clickToDecided.n)} / ${sum((r) => r.clicks)}`, '')}
${line('timeout lateness (`decided_at − expires_at`)', (r) => r.lateness, `${sum((r) => r.expired)} / ${sum((r) => r.timeouts)}`, `within 1 s: ${ok(lateMax < 1000)}`)}
${line('queue-only baseline: add → worker picks up', (r) => r.baseline, `${sum((r) => r.baseline.n)} / ${sum((r) => r.baselineJobs)}`, '')}

CPU during the measured window, % of one core (medians over runs): server ${m((r) => r.cpu.server).toFixed(0)}, Postgres ${m((r) => r.cpu.postgres).toFixed(0)}, bench process ${m((r) => r.cpu.bench).toFixed(0)}; whole machine ${m((r) => r.cpu.busy).toFixed(0)} of 200 (steal ${m((r) => r.cpu.steal).toFixed(0)}).`;
}

function perRun(rows: RunResult[]) {
  return rows
    .map(
      (r, i) =>
        `run ${i + 1} (load avg ${r.load.toFixed(2)}, bench event-loop delay p99 ${f(r.benchLag)} ms, CPU stolen by the host ${r.cpu.steal.toFixed(0)}% of a core): card p99 ${f(r.card.p99)}, ack p99 ${f(r.ack.p99)}, click → update p99 ${f(r.clickToUpdate.p99)}, ` +
        `lateness max ${f(r.lateness.max)}, baseline p99 ${f(r.baseline.p99)}` +
        (r.rejected ? `, ${r.rejected} submissions not 201` : '') +
        (r.duplicateCards ? `, ${r.duplicateCards} duplicate card posts` : '') +
        (r.clickSkipped ? `, ${r.clickSkipped} click slots with no fresh card` : ''),
    )
    .join('; ');
}

async function main() {
  assertLocal('DATABASE_URL', ADMIN_URL);
  assertLocal('REDIS_URL', REDIS_URL);
  const results = new Map<Backend, RunResult[]>();
  for (const backend of BACKENDS) {
    const rows: RunResult[] = [];
    for (let run = 1; run <= RUNS; run++) rows.push(await runOnce(backend, run));
    results.set(backend, rows);
  }
  const sections = [...results].map(
    ([backend, rows]) => `### ${backend === 'redis' ? `Redis backend (\`REDIS_URL\`, database ${REDIS_DB})` : 'PostgreSQL backend (`REDIS_URL` unset)'}

${table(rows)}

Per run: ${perRun(rows)}.`,
  );
  await writeSection(
    'slack',
    `## Slack approval loop: \`npm run bench:slack\`

Machine: ${machine()}; Postgres 15 and Redis on the same machine. ${RUNS} run${RUNS === 1 ? '' : 's'} of ${SECONDS} s per backend, each on a fresh database, medians over runs shown.
One \`npm start\` process (role all, \`${POLICY}\`) whose \`SLACK_API_URL\` is a local fake Slack Web API in the bench process; times are taken by the bench and the fake on the same clock.
After a warm-up of ${WARMUP} cards and 5 clicks (not counted), for ${SECONDS} s:

- **cards**: \`send_email\` submitted open-loop at ${RATE}/s over keep-alive connections (each request fired at its scheduled time, not after the previous answer); latency = the fake receives the card's \`chat.postMessage\` − the POST was sent;
- **clicks**, during the same load: ${CLICK_COUNT} signed Approve interactions as a reviewer (not the requester), ≤ ${CLICK_MAX_RATE}/s, each on the newest card not yet clicked; ack = HTTP response time; then until the fake receives the \`chat.update\` showing "Approved" (and, from Postgres, until \`decided_at\`);
- **timeouts**, during the same load: ${TIMEOUTS} \`quick_deny\` actions (2 s timeout, on_timeout deny); lateness = \`decided_at − expires_at\` once all are \`expired\`;
- **queue-only baseline**, same backend, after the server is stopped: a BullMQ Queue in the bench process adds no-op jobs at ${RATE}/s for ${BASELINE_SECONDS} s to a Worker (concurrency 16) in a child process; latency = the processor starts − \`add\` was called.

Targets: card p99 < 100 ms; click ack p99 < 100 ms; timeouts decided within 1 s of their deadline.
"max" is the median over runs of each run's maximum. The fake records its timestamps in the bench process, so they can be late by up to that process's event-loop delay (shown per run).
The intake row is context only: how long each POST took to answer 201.

${sections.join('\n\n')}`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    for (const c of children) c.kill('SIGTERM');
    process.exit(1);
  },
);
