import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { ADMIN_URL, REDIS_URL, freshDatabase, machine, median, writeSection } from './lib.js';
import {
  REDIS_DB,
  STRAGGLER_MS,
  Submitter,
  assertLocal,
  f,
  flushRedis,
  openLoop,
  post,
  queueBaseline,
  redisDbUrl,
  runBench,
  startBenchServer,
  stats,
  until,
  type Backend,
  type Stats,
  type Submitted,
} from './chat-lib.js';
import { channelOf, toolOf, writeBenchPolicy, type BenchPolicy } from './chat-policy.js';
import { FakeSlackApi, SLACK_LIMITS } from '../test/fakes/fake-slack-api.js';
import { SIGNING_SECRET, approveClick, slackHeaders } from '../test/support/slack-requests.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';

/**
 * npm run bench:slack — the approval loop against a real server process
 * (role all) whose Slack Web API is a local fake in this process that
 * enforces Slack's limits (chat.postMessage about one a second per channel,
 * chat.update 50 a minute per workspace: SLACK_LIMITS), once per queue
 * backend (Redis, BullMQ's PostgreSQL backend), each run on a fresh database.
 *
 * Scenario `load`:
 * - card latency: cards submitted open-loop at RATE/s, spread over CHANNELS
 *   reviewer channels (100/s into one channel is not something Slack takes);
 *   POST sent → the fake receives the card's chat.postMessage;
 * - clicks, interleaved with that load on freshly carded actions, at most one
 *   a second (with the timeouts' updates, within chat.update's 50 a minute):
 *   signed Approve interactions to /slack/events; ack = HTTP response time;
 *   click sent → the fake receives the chat.update showing "Approved" (and →
 *   `decided_at` in Postgres);
 * - timeouts, interleaved too: `quick_deny` (2 s, on_timeout deny);
 *   lateness = decided_at − expires_at;
 * - queue-only baseline, same backend, after the server is stopped: Queue in
 *   this process, Worker in a child process, add → picked up.
 *
 * Scenario `burst` (issue 13 point 6): BURST cards for one channel at once,
 * while other channels get cards at OTHER_RATE/s (each below Slack's one a
 * second); latency of the other channels' cards, how many calls Slack would
 * have refused (429), and how many burst cards went out, with Airlock's
 * pacing and, for comparison, without it (AIRLOCK_CHAT_PACING=off).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 200);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'load,burst').split(',').filter(Boolean);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis,postgres').split(',').filter(Boolean) as Backend[];
// chat.update is Tier 3 (50 a minute per workspace): clicks and expiries together stay within it.
const CLICK_MAX_RATE = 1;
const TIMEOUTS = 10;
const BASELINE_SECONDS = Math.min(5, SECONDS);
// Clicks start once some cards exist and are spread evenly over the rest of the window.
const CLICK_START_MS = Math.min(1000, (SECONDS * 1000) / 4);
const CLICK_COUNT = Math.max(1, Math.floor(((SECONDS * 1000 - CLICK_START_MS) / 1000) * CLICK_MAX_RATE));
const CLICK_RATE = CLICK_COUNT / ((SECONDS * 1000 - CLICK_START_MS) / 1000);
const WARMUP = 50;
const BURST = Number(process.env.BENCH_BURST ?? 400);
const OTHER_RATE = 10;
const OTHER_CHANNELS = 20;
const FAKE_EMAILS = { U0LEAD1: 'lead1@acme.test', U0SAM: 'sam@acme.test' };

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
  /** Calls the fake answered 429 because they were over Slack's limits. */
  overLimit: number;
  baselineJobs: number;
  baseline: Stats;
  /** CPU used during the measured window, percent of one core. */
  cpu: CpuUse;
}

// ---------------------------------------------------------------- what the fake Slack saw

/** Reads the fake's recorded calls incrementally: first card per action, first "Approved" update per clicked action. */
class SlackLog {
  private seen = 0;
  readonly cardAt = new Map<string, number>();
  readonly cardChannel = new Map<string, string>();
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
          this.cardChannel.set(id, String(c.body.channel));
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

// ---------------------------------------------------------------- one server

/** A fresh database, a fake Slack enforcing Slack's limits, and `npm start` against them; `run` gets what it needs to drive the server. */
async function withServer<T>(
  backend: Backend,
  label: string,
  policy: BenchPolicy,
  env: Record<string, string>,
  run: (s: { base: string; fake: FakeSlackApi; pool: pg.Pool; server: BenchServer; db: { url: string }; redisUrl?: string; submitter: Submitter; stop(): Promise<void> }) => Promise<T>,
): Promise<T> {
  const redisUrl = backend === 'redis' ? redisDbUrl() : undefined;
  if (redisUrl) await flushRedis(redisUrl);
  const db = await freshDatabase(`${label}_${backend}`);
  const fake = await FakeSlackApi.start({ emails: FAKE_EMAILS, limits: SLACK_LIMITS });
  let server: BenchServer | undefined;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  try {
    server = await startBenchServer({
      DATABASE_URL: db.url,
      // Empty is unset: the PostgreSQL backend.
      REDIS_URL: redisUrl ?? '',
      POLICY_FILE: policy.path,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_APP_TOKEN: '',
      SLACK_API_URL: fake.url,
      ...env,
    });
    const agents = new PgAgentStore(pool);
    const auth = `Bearer ${(await makeCreateAgent({ agents, policy: await FilePolicySource.open(policy.path) })('acme', 'bot')).key}`;
    return await run({ base: server.base, fake, pool, server, db, redisUrl, submitter: new Submitter(server.base, auth), stop: server.stop });
  } finally {
    await server?.stop();
    await pool.end();
    await fake.close();
    if (process.env.BENCH_KEEP_DB) console.log(`kept database ${db.name}`);
    else await db.drop();
    if (redisUrl) await flushRedis(redisUrl);
  }
}

type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

/** The body of one bench action: a card for `tool`'s channel (or a quick_deny). */
const actionBody = (tool: string, i: number) => ({
  tool,
  args: tool === 'quick_deny' ? { n: i } : { to: `customer${i}@example.com`, subject: `Your order ${i}`, body: 'Hello' },
  requester: { id: 'U0SAM' },
  summary: `bench ${tool} ${i}`,
  workflow: 'bench',
});

// ---------------------------------------------------------------- scenario: load

async function runLoad(backend: Backend, run: number, policy: BenchPolicy): Promise<RunResult> {
  const load = os.loadavg()[0]!;
  return withServer(backend, 'slack', policy, {}, async ({ base, fake, pool, server, db, redisUrl, submitter, stop }) => {
    const slack = new SlackLog(fake);
    const inflight = submitter.inflight;
    const card = (i: number, into: Submitted[]) => submitter.submit(actionBody(toolOf(((i % CHANNELS) + CHANNELS) % CHANNELS), i), into);

    interface Click {
      id: string;
      sentAt: number;
      t0: number;
      ackMs: number;
      status: number;
    }
    const click = (id: string, into: Click[]) => {
      const payload = approveClick({ user: 'U0LEAD1', actionId: id }) as unknown as Record<string, unknown>;
      const channel = slack.cardChannel.get(id) ?? 'C0LEADS';
      payload.channel = { id: channel, name: channel.toLowerCase() };
      payload.container = { type: 'message', message_ts: '1700000000.000100', channel_id: channel, is_ephemeral: false };
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
    await openLoop(WARMUP, 50, (i) => card(-1 - i, warm), performance.now());
    await submitter.settled();
    await until(() => (slack.sync(), warm.every((w) => !w.id || slack.cardAt.has(w.id))), STRAGGLER_MS);
    const warmClicks: Click[] = [];
    for (const w of warm.slice(0, 5)) if (w.id) click(w.id, warmClicks);
    await submitter.settled();
    await until(() => (slack.sync(), warmClicks.every((c) => slack.approvedAt.has(c.id))), STRAGGLER_MS);
    const warmIds = new Set(warm.map((w) => w.id));
    const overLimitBefore = fake.overLimit().length;

    // Measured: cards at RATE/s; clicks and quick_deny interleaved over the same window.
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
      openLoop(submitCount, RATE, (i) => card(i, emails), start),
      openLoop(TIMEOUTS, TIMEOUTS / SECONDS, (i) => submitter.submit(actionBody('quick_deny', i), quick), start + 5),
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
    await submitter.settled();
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

    const cardMs = accepted.flatMap((e) => (slack.cardAt.has(e.id!) ? [slack.cardAt.get(e.id!)! - e.sentAt] : []));
    const acked = clicks.filter((c) => c.status === 200);
    const clickToUpdate = clicks.flatMap((c) => (slack.approvedAt.has(c.id) ? [slack.approvedAt.get(c.id)! - c.sentAt] : []));
    const decidedRows = (await pool.query("SELECT id, extract(epoch FROM decided_at) * 1000 AS at FROM actions WHERE id = ANY($1) AND status = 'approved'", [clicks.map((c) => c.id)])).rows as { id: string; at: string }[];
    const decidedAt = new Map(decidedRows.map((r) => [r.id, Number(r.at)]));
    const clickToDecided = clicks.flatMap((c) => (decidedAt.has(c.id) ? [decidedAt.get(c.id)! - c.sentAt] : []));
    const lateRows = (await pool.query("SELECT extract(epoch FROM decided_at - expires_at) * 1000 AS late FROM actions WHERE id = ANY($1) AND status = 'expired'", [quickIds])).rows as { late: string }[];
    const overLimit = fake.overLimit().length - overLimitBefore;

    await stop();
    const baseline = await queueBaseline(backend, redisUrl ?? db.url, RATE, BASELINE_SECONDS);

    const result: RunResult = {
      load,
      benchLag: lag.percentile(99) / 1e6,
      intake: stats(accepted.map((e) => e.responseMs)),
      submitted: emails.length,
      rejected: emails.length - accepted.length + quick.filter((q) => !q.id).length,
      cards: cardMs.length,
      duplicateCards: slack.duplicateCards,
      card: stats(cardMs),
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
      overLimit,
      baselineJobs: baseline.jobs,
      baseline: baseline.stats,
      cpu,
    };
    console.log(
      `${backend} load run ${run}: intake p50 ${f(result.intake.p50)} p99 ${f(result.intake.p99)}; cards ${result.cards}/${result.submitted} p50 ${f(result.card.p50)} p99 ${f(result.card.p99)}; ` +
        `clicks ${result.acked}/${result.clicks} ack p99 ${f(result.ack.p99)}, → update p50 ${f(result.clickToUpdate.p50)} p99 ${f(result.clickToUpdate.p99)} (${result.updated}); ` +
        `timeouts ${result.expired}/${result.timeouts} late p99 ${f(result.lateness.p99)} max ${f(result.lateness.max)}; 429s over Slack's limits ${overLimit}; ` +
        `baseline p50 ${f(result.baseline.p50)} p99 ${f(result.baseline.p99)}; load ${load.toFixed(2)}, bench loop delay p99 ${f(result.benchLag)}; ` +
        `CPU % of a core: server ${result.cpu.server.toFixed(0)}, postgres ${result.cpu.postgres.toFixed(0)}, bench ${result.cpu.bench.toFixed(0)}, machine ${result.cpu.busy.toFixed(0)}/200, steal ${result.cpu.steal.toFixed(0)}`,
    );
    return result;
  });
}

// ---------------------------------------------------------------- scenario: burst

interface BurstResult {
  load: number;
  benchLag: number;
  /** Latency of the other channels' cards (POST sent → chat.postMessage). */
  other: Stats;
  otherSent: number;
  /** How long the burst's POSTs took to answer (context). */
  burstIntake: Stats;
  /** Burst cards posted by the end of the window. */
  burstPosted: number;
  /** chat.postMessage calls to the burst channel, answered or refused. */
  burstAttempts: number;
  /** Calls the fake answered 429 because they were over Slack's limits. */
  overLimit: number;
  duplicateCards: number;
}

const BURST_CHANNEL = 0;

async function runBurst(backend: Backend, run: number, policy: BenchPolicy, paced: boolean): Promise<BurstResult> {
  const load = os.loadavg()[0]!;
  return withServer(backend, 'slackburst', policy, { AIRLOCK_CHAT_PACING: paced ? 'on' : 'off' }, async ({ fake, submitter }) => {
    const slack = new SlackLog(fake);
    const otherTool = (i: number) => toolOf(1 + (((i % OTHER_CHANNELS) + OTHER_CHANNELS) % OTHER_CHANNELS));
    // Warm-up, not measured, on the other channels only.
    const warm: Submitted[] = [];
    await openLoop(OTHER_CHANNELS, 20, (i) => submitter.submit(actionBody(otherTool(-1 - i), -1 - i), warm), performance.now());
    await submitter.settled();
    await until(() => (slack.sync(), warm.every((w) => !w.id || slack.cardAt.has(w.id))), STRAGGLER_MS);
    const overLimitBefore = fake.overLimit().length;
    const attemptsBefore = fake.calls('chat.postMessage').filter((c) => c.body.channel === channelOf(BURST_CHANNEL)).length;

    const burst: Submitted[] = [];
    const others: Submitted[] = [];
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const start = performance.now();
    await Promise.all([
      // The burst: as fast as the bench can send them (a few hundred a second here).
      openLoop(BURST, 10_000, (i) => submitter.submit(actionBody(toolOf(BURST_CHANNEL), i), burst), start),
      openLoop(Math.round(SECONDS * OTHER_RATE), OTHER_RATE, (i) => submitter.submit(actionBody(otherTool(i), i), others), start),
    ]);
    await submitter.settled();
    lag.disable();
    const accepted = others.filter((o) => o.id);
    await until(() => (slack.sync(), accepted.every((o) => slack.cardAt.has(o.id!))), STRAGGLER_MS);
    slack.sync();
    const burstIds = new Set(burst.flatMap((b) => (b.id ? [b.id] : [])));
    const result: BurstResult = {
      load,
      benchLag: lag.percentile(99) / 1e6,
      other: stats(accepted.flatMap((o) => (slack.cardAt.has(o.id!) ? [slack.cardAt.get(o.id!)! - o.sentAt] : []))),
      otherSent: others.length,
      burstIntake: stats(burst.filter((b) => b.id).map((b) => b.responseMs)),
      burstPosted: [...burstIds].filter((id) => slack.cardAt.has(id)).length,
      burstAttempts: fake.calls('chat.postMessage').filter((c) => c.body.channel === channelOf(BURST_CHANNEL)).length - attemptsBefore,
      overLimit: fake.overLimit().length - overLimitBefore,
      duplicateCards: slack.duplicateCards,
    };
    console.log(
      `${backend} burst ${paced ? 'paced' : 'unpaced'} run ${run}: other channels ${result.other.n}/${result.otherSent} p50 ${f(result.other.p50)} p99 ${f(result.other.p99)} max ${f(result.other.max)}; ` +
        `burst posted ${result.burstPosted}/${BURST}, ${result.burstAttempts} attempts, ${result.overLimit} refused (429); load ${load.toFixed(2)}, bench loop delay p99 ${f(result.benchLag)}`,
    );
    return result;
  });
}

// ---------------------------------------------------------------- report

const m = <R>(rows: R[], get: (r: R) => number) => median(rows.map(get));
const ok = (b: boolean) => (b ? 'met' : '**missed**');
/** A count (or the median of counts): whole, or halves. */
const count = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 2) / 2) : '—');

function table(rows: RunResult[]) {
  const line = (label: string, get: (r: RunResult) => Stats, count: string, target: string) =>
    `| ${label} | ${f(m(rows, (r) => get(r).p50))} | ${f(m(rows, (r) => get(r).p99))} | ${f(m(rows, (r) => get(r).max))} | ${count} | ${target} |`;
  const sum = (get: (r: RunResult) => number) => rows.reduce((a, r) => a + get(r), 0);
  return `| | p50 ms | p99 ms | max ms | arrived / sent (all runs) | target |
|---|---|---|---|---|---|
${line('(context) intake: POST → 201 response', (r) => r.intake, `${sum((r) => r.intake.n)} / ${sum((r) => r.submitted)}`, '')}
${line('card: POST sent → chat.postMessage', (r) => r.card, `${sum((r) => r.cards)} / ${sum((r) => r.submitted)}`, `p99 < 100 ms: ${ok(m(rows, (r) => r.card.p99) < 100)}`)}
${line('click ack (HTTP response to /slack/events)', (r) => r.ack, `${sum((r) => r.acked)} / ${sum((r) => r.clicks)}`, `p99 < 100 ms: ${ok(m(rows, (r) => r.ack.p99) < 100)}`)}
${line('click → decision + chat.update "Approved"', (r) => r.clickToUpdate, `${sum((r) => r.updated)} / ${sum((r) => r.clicks)}`, '')}
${line('click → decision recorded (`decided_at`)', (r) => r.clickToDecided, `${sum((r) => r.clickToDecided.n)} / ${sum((r) => r.clicks)}`, '')}
${line('timeout lateness (`decided_at − expires_at`)', (r) => r.lateness, `${sum((r) => r.expired)} / ${sum((r) => r.timeouts)}`, `within 1 s: ${ok(m(rows, (r) => r.lateness.max) < 1000)}`)}
${line('queue-only baseline: add → worker picks up', (r) => r.baseline, `${sum((r) => r.baseline.n)} / ${sum((r) => r.baselineJobs)}`, '')}

Calls Slack would have refused (429 over its limits), all runs: ${sum((r) => r.overLimit)}.
CPU during the measured window, % of one core (medians over runs): server ${m(rows, (r) => r.cpu.server).toFixed(0)}, Postgres ${m(rows, (r) => r.cpu.postgres).toFixed(0)}, bench process ${m(rows, (r) => r.cpu.bench).toFixed(0)}; whole machine ${m(rows, (r) => r.cpu.busy).toFixed(0)} of 200 (steal ${m(rows, (r) => r.cpu.steal).toFixed(0)}).`;
}

function perRun(rows: RunResult[]) {
  return rows
    .map(
      (r, i) =>
        `run ${i + 1} (load avg ${r.load.toFixed(2)}, bench event-loop delay p99 ${f(r.benchLag)} ms, CPU stolen by the host ${r.cpu.steal.toFixed(0)}% of a core): card p99 ${f(r.card.p99)}, ack p99 ${f(r.ack.p99)}, click → update p99 ${f(r.clickToUpdate.p99)}, ` +
        `lateness max ${f(r.lateness.max)}, baseline p99 ${f(r.baseline.p99)}` +
        (r.overLimit ? `, ${r.overLimit} calls refused (429)` : '') +
        (r.rejected ? `, ${r.rejected} submissions not 201` : '') +
        (r.duplicateCards ? `, ${r.duplicateCards} duplicate card posts` : '') +
        (r.clickSkipped ? `, ${r.clickSkipped} click slots with no fresh card` : ''),
    )
    .join('; ');
}

function burstTable(paced: BurstResult[], unpaced: BurstResult[]) {
  const line = (label: string, rows: BurstResult[]) => {
    const sum = (get: (r: BurstResult) => number) => rows.reduce((a, r) => a + get(r), 0);
    return `| ${label} | ${f(m(rows, (r) => r.other.p50))} | ${f(m(rows, (r) => r.other.p99))} | ${f(m(rows, (r) => r.other.max))} | ${sum((r) => r.other.n)} / ${sum((r) => r.otherSent)} | ${count(m(rows, (r) => r.burstPosted))} | ${count(m(rows, (r) => r.burstAttempts))} | ${count(m(rows, (r) => r.overLimit))} | ${ok(m(rows, (r) => r.other.p99) < 1000)} |`;
  };
  const per = (rows: BurstResult[]) =>
    rows.map((r, i) => `run ${i + 1} (load avg ${r.load.toFixed(2)}, bench event-loop delay p99 ${f(r.benchLag)} ms): other p99 ${f(r.other.p99)}, burst POST p99 ${f(r.burstIntake.p99)}, ${r.burstPosted} posted, ${r.overLimit} refused` + (r.duplicateCards ? `, ${r.duplicateCards} duplicate card posts` : '')).join('; ');
  return `| | other channels' cards p50 ms | p99 ms | max ms | arrived / sent (all runs) | burst cards posted in the window | burst channel chat.postMessage calls | calls refused (429) | other p99 < 1 s |
|---|---|---|---|---|---|---|---|---|
${paced.length ? line('paced (default)', paced) : ''}
${unpaced.length ? line('unpaced (`AIRLOCK_CHAT_PACING=off`)', unpaced) : ''}

Per run, paced: ${per(paced)}.${unpaced.length ? `\nPer run, unpaced: ${per(unpaced)}.` : ''}`;
}

async function main() {
  assertLocal('DATABASE_URL', ADMIN_URL);
  assertLocal('REDIS_URL', REDIS_URL);
  const policy = writeBenchPolicy({ channels: CHANNELS });
  const loads = new Map<Backend, RunResult[]>();
  const bursts = new Map<Backend, { paced: BurstResult[]; unpaced: BurstResult[] }>();
  try {
    for (const backend of BACKENDS) {
      if (SCENARIOS.includes('load')) {
        const rows: RunResult[] = [];
        for (let run = 1; run <= RUNS; run++) rows.push(await runLoad(backend, run, policy));
        loads.set(backend, rows);
      }
      if (SCENARIOS.includes('burst')) {
        const b = { paced: [] as BurstResult[], unpaced: [] as BurstResult[] };
        // Alternated, so a disturbance of the machine hits both alike.
        for (let run = 1; run <= RUNS; run++) {
          b.paced.push(await runBurst(backend, run, policy, true));
          b.unpaced.push(await runBurst(backend, run, policy, false));
        }
        bursts.set(backend, b);
      }
    }
  } finally {
    policy.remove();
  }
  const name = (backend: Backend) => (backend === 'redis' ? `Redis backend (\`REDIS_URL\`, database ${REDIS_DB})` : 'PostgreSQL backend (`REDIS_URL` unset)');
  const loadSections = [...loads].map(([backend, rows]) => `### Load, ${name(backend)}

${table(rows)}

Per run: ${perRun(rows)}.`);
  const burstSections = [...bursts].map(([backend, b]) => `### Burst, ${name(backend)}

${burstTable(b.paced, b.unpaced)}`);
  const common = `Machine: ${machine()}; Postgres 15 (autovacuum off in this machine's configuration; nothing here depends on it) and Redis on the same machine. ${RUNS} run${RUNS === 1 ? '' : 's'} of ${SECONDS} s per backend, each on a fresh database, medians over runs shown.
One \`npm start\` process (role all) whose \`SLACK_API_URL\` is a local fake Slack Web API in the bench process; times are taken by the bench and the fake on the same clock. The fake enforces Slack's limits as \`SLACK_LIMITS\` in \`test/fakes/fake-slack-api.ts\` models them: \`chat.postMessage\` one a second per channel with bursts of 5, \`chat.update\` 50 a minute per workspace with bursts of 50 (Tier 3), answering 429 with Retry-After. The policy is \`test/fixtures/approval-policy.yml\` plus ${CHANNELS} reviewer groups, each with its own channel (\`bench/chat-policy.ts\`).`;
  if (loads.size > 0) {
    await writeSection(
      'slack',
      `## Slack approval loop: \`npm run bench:slack\`

${common}

After a warm-up of ${WARMUP} cards and 5 clicks (not counted), for ${SECONDS} s:

- **cards**: submitted open-loop at ${RATE}/s over keep-alive connections (each request fired at its scheduled time, not after the previous answer), round-robin over the ${CHANNELS} channels (${(RATE / CHANNELS).toFixed(2)} a second each: Slack takes about one); latency = the fake receives the card's \`chat.postMessage\` − the POST was sent;
- **clicks**, during the same load: ${CLICK_COUNT} signed Approve interactions as a reviewer (not the requester), ≤ ${CLICK_MAX_RATE}/s, each on the newest card not yet clicked; ack = HTTP response time; then until the fake receives the \`chat.update\` showing "Approved" (and, from Postgres, until \`decided_at\`). Clicks and expiries together stay within \`chat.update\`'s 50 a minute;
- **timeouts**, during the same load: ${TIMEOUTS} \`quick_deny\` actions (2 s timeout, on_timeout deny); lateness = \`decided_at − expires_at\` once all are \`expired\`;
- **queue-only baseline**, same backend, after the server is stopped: a BullMQ Queue in the bench process adds no-op jobs at ${RATE}/s for ${BASELINE_SECONDS} s to a Worker (concurrency 16) in a child process; latency = the processor starts − \`add\` was called.

Targets: card p99 < 100 ms; click ack p99 < 100 ms; timeouts decided within 1 s of their deadline.
"max" is the median over runs of each run's maximum. The fake records its timestamps in the bench process, so they can be late by up to that process's event-loop delay (shown per run).
The intake row is context only: how long each POST took to answer 201.

${loadSections.join('\n\n')}`,
    );
  }
  if (bursts.size > 0) {
    await writeSection(
      'slack-burst',
      `## Slack burst on one channel: \`BENCH_SCENARIOS=burst npm run bench:slack\`

${common}

After a warm-up of ${OTHER_CHANNELS} cards: ${BURST} cards for one channel submitted at once, while ${OTHER_CHANNELS} other channels get ${OTHER_RATE} cards a second between them (${(OTHER_RATE / OTHER_CHANNELS).toFixed(1)} a second each) for ${SECONDS} s. Shown: latency of the other channels' cards (POST sent → the fake receives its \`chat.postMessage\`; target: p99 under 1 s), how many burst cards Slack took by the end of the window (at most about ${5 + SECONDS}: a burst of 5, then one a second), how many \`chat.postMessage\` calls the burst channel got, and how many calls of all were refused (429). Each run twice, alternately: with Airlock's pacing (the default) and without it (\`AIRLOCK_CHAT_PACING=off\`: the card worker learns the limit from 429s, as before pacing).

${burstSections.join('\n\n')}`,
    );
  }
}

runBench(main);
