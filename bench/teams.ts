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
import { conversationOf, toolOf, writeBenchPolicy } from './chat-policy.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { FakeBotFramework, type ConnectorCall } from '../test/fakes/fake-bot-framework.js';
import { ACME_AAD_TENANT, TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_MEMBERS, teamsActivity } from '../test/support/teams-fixtures.js';
import { createTestCa, type TestCa } from '../test/support/test-ca.js';
import { PgAgentStore } from '../src/infra/postgres/agent-repository.js';
import { FilePolicySource } from '../src/policy/file-policy-source.js';
import { makeCreateAgent } from '../src/usecases/create-agent.js';

/**
 * npm run bench:teams — the Teams approval loop against a real server
 * process (role all, the real botbuilder) started with NODE_EXTRA_CA_CERTS,
 * so it trusts a throwaway CA whose certificate the local fake Bot Framework
 * (connector, login, OpenID keys) serves in this process. Per queue backend
 * (Redis by default), each run on a fresh database:
 *
 * - card latency: cards submitted open-loop at RATE/s, round-robin over
 *   CHANNELS conversations (Teams takes about one message every 2 s per
 *   conversation from a bot, so 100 a second needs that many); POST sent →
 *   the fake connector receives the card (sendToConversation);
 * - invokes, interleaved with that load on freshly carded actions: signed
 *   `adaptiveCard/action` Approve invokes to /api/messages (channel token
 *   signed by the fake's key, validated by Airlock and by botbuilder); answer
 *   = HTTP response time (the updated card); invoke sent → the fake receives
 *   the update of the shared card showing "Approved";
 * - queue-only baseline, same backend, after the server is stopped.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 200);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'redis').split(',').filter(Boolean) as Backend[];
const INVOKE_MAX = 200;
const INVOKE_MAX_RATE = 20;
const WARMUP = 50;
const BASELINE_SECONDS = Math.min(5, SECONDS);
const INVOKE_START_MS = Math.min(1000, (SECONDS * 1000) / 4);
const INVOKE_COUNT = Math.max(1, Math.min(INVOKE_MAX, Math.floor(((SECONDS * 1000 - INVOKE_START_MS) / 1000) * INVOKE_MAX_RATE)));
const INVOKE_RATE = INVOKE_COUNT / ((SECONDS * 1000 - INVOKE_START_MS) / 1000);
const REVIEWER = TEAMS_MEMBERS.find((m) => m.aadObjectId === 'aad-lead-1')!;

interface RunResult {
  load: number;
  benchLag: number;
  intake: Stats;
  submitted: number;
  rejected: number;
  cards: number;
  duplicateCards: number;
  card: Stats;
  invokes: number;
  invokeSkipped: number;
  answered: number;
  /** Answers that carried the card showing the approval (the click was recorded). */
  approvedAnswers: number;
  answer: Stats;
  updated: number;
  invokeToUpdate: Stats;
  /** Connector calls the fake refused or could not place (should be none). */
  unexpected: number;
  baselineJobs: number;
  baseline: Stats;
  cpu: CpuUse;
}

/** Reads the fake connector's calls incrementally: each action's card (its activity id) and the first "Approved" update of it. */
class ConnectorLog {
  private seen = 0;
  readonly cardAt = new Map<string, number>();
  readonly cardActivity = new Map<string, { activityId: string; conversationId: string }>();
  readonly cardOrder: string[] = [];
  private readonly actionOfActivity = new Map<string, string>();
  duplicateCards = 0;
  readonly approvedAt = new Map<string, number>();

  constructor(private readonly fake: FakeBotFramework) {}

  sync() {
    const calls: ConnectorCall[] = this.fake.calls();
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c.status !== 200) continue;
      if (c.kind === 'send') {
        const id = /"actionId":"([^"]+)"/.exec(JSON.stringify(c.body))?.[1];
        if (!id || !c.answeredId) continue; // notices carry no card
        if (this.cardAt.has(id)) this.duplicateCards++;
        else {
          this.cardAt.set(id, c.at);
          this.cardActivity.set(id, { activityId: c.answeredId, conversationId: c.conversationId! });
          this.actionOfActivity.set(c.answeredId, id);
          this.cardOrder.push(id);
        }
      } else if (c.kind === 'update' && c.activityId) {
        const id = this.actionOfActivity.get(c.activityId);
        if (id && !this.approvedAt.has(id) && JSON.stringify(c.body).includes('Approved')) this.approvedAt.set(id, c.at);
      }
    }
  }
}

interface Invoke {
  id: string;
  sentAt: number;
  t0: number;
  answerMs: number;
  status: number;
  approved: boolean;
}

async function runOnce(backend: Backend, run: number, ca: TestCa): Promise<RunResult> {
  const load = os.loadavg()[0]!;
  const redisUrl = backend === 'redis' ? redisDbUrl() : undefined;
  if (redisUrl) await flushRedis(redisUrl);
  const db = await freshDatabase(`teams_${backend}`);
  const fake = await FakeBotFramework.start({ appId: TEAMS_APP_ID, appPassword: TEAMS_APP_PASSWORD, tls: ca, members: TEAMS_MEMBERS });
  const policy = writeBenchPolicy({ channels: CHANNELS, teams: { tenantId: ACME_AAD_TENANT, serviceUrl: fake.serviceUrl('teams'), users: ['aad-lead-1', 'aad-lead-2'] } });
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  try {
    server = await startBenchServer({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl ?? '',
      POLICY_FILE: policy.path,
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: '',
      TEAMS_APP_ID,
      TEAMS_APP_PASSWORD,
      TEAMS_OPENID_METADATA_URL: fake.openIdMetadataUrl,
      TEAMS_LOGIN_URL: fake.loginUrl(),
      // Read only when a Node process starts: the server trusts the fake's certificate.
      NODE_EXTRA_CA_CERTS: ca.caPath,
    });
    const { base, stop } = server;
    const auth = `Bearer ${(await makeCreateAgent({ agents: new PgAgentStore(pool), policy: await FilePolicySource.open(policy.path) })('acme', 'bot')).key}`;
    const log = new ConnectorLog(fake);
    const submitter = new Submitter(base, auth);
    const inflight = submitter.inflight;
    const submit = (i: number, into: Submitted[]) =>
      submitter.submit(
        {
          tool: toolOf(((i % CHANNELS) + CHANNELS) % CHANNELS),
          args: { to: `customer${i}@example.com`, subject: `Your order ${i}`, body: 'Hello' },
          requester: { id: 'sam@acme.test' },
          summary: `bench card ${i}`,
          workflow: 'bench',
        },
        into,
      );

    const invoke = (id: string, into: Invoke[]) => {
      const card = log.cardActivity.get(id)!;
      const activity = teamsActivity('invoke-approve', fake, { actionId: id, round: 0, from: { id: REVIEWER.id, name: REVIEWER.name, aadObjectId: REVIEWER.aadObjectId } });
      activity.value.action.data.argsVersion = 1;
      // The click comes from the card's own message, as Teams sends it.
      activity.conversation.id = `${card.conversationId};messageid=${card.activityId}`;
      activity.channelData.channel.id = card.conversationId;
      activity.replyToId = card.activityId;
      const body = JSON.stringify(activity);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${fake.channelToken({ serviceUrl: activity.serviceUrl })}` };
      const rec: Invoke = { id, sentAt: Date.now(), t0: performance.now(), answerMs: NaN, status: 0, approved: false };
      into.push(rec);
      inflight.push(
        post(`${base}/api/messages`, headers, body).then(
          (r) => {
            rec.answerMs = performance.now() - rec.t0;
            rec.status = r.status;
            rec.approved = r.status === 200 && r.body.includes('Approved');
          },
          () => {
            rec.status = -1;
          },
        ),
      );
    };

    // Warm-up, not measured.
    const warm: Submitted[] = [];
    await openLoop(WARMUP, 50, (i) => submit(-1 - i, warm), performance.now());
    await Promise.all(inflight.splice(0));
    await until(() => (log.sync(), warm.every((w) => !w.id || log.cardAt.has(w.id))), STRAGGLER_MS);
    const warmInvokes: Invoke[] = [];
    for (const w of warm.slice(0, 5)) if (w.id && log.cardAt.has(w.id)) invoke(w.id, warmInvokes);
    await Promise.all(inflight.splice(0));
    await until(() => (log.sync(), warmInvokes.every((c) => log.approvedAt.has(c.id))), STRAGGLER_MS);
    const warmIds = new Set(warm.map((w) => w.id));

    const cards: Submitted[] = [];
    const invokes: Invoke[] = [];
    const cardIds = new Set<string>();
    const clicked = new Set<string>();
    let invokeSkipped = 0;
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const cpuBefore = cpuSnapshot(server.proc.pid!);
    const start = performance.now();
    await Promise.all([
      openLoop(Math.round(SECONDS * RATE), RATE, (i) => submit(i, cards), start),
      openLoop(
        INVOKE_COUNT,
        INVOKE_RATE,
        () => {
          log.sync();
          for (const c of cards) if (c.id && !cardIds.has(c.id)) cardIds.add(c.id);
          for (let k = log.cardOrder.length - 1; k >= 0; k--) {
            const id = log.cardOrder[k]!;
            if (cardIds.has(id) && !clicked.has(id) && !warmIds.has(id)) {
              clicked.add(id);
              invoke(id, invokes);
              return;
            }
          }
          invokeSkipped++;
        },
        start + INVOKE_START_MS,
      ),
    ]);
    await Promise.all(inflight.splice(0));
    const cpu = cpuUse(cpuBefore, cpuSnapshot(server.proc.pid!));
    lag.disable();

    const accepted = cards.filter((c) => c.id);
    await until(() => (log.sync(), accepted.every((c) => log.cardAt.has(c.id!)) && invokes.every((c) => log.approvedAt.has(c.id))), STRAGGLER_MS);
    log.sync();
    const cardMs = accepted.flatMap((c) => (log.cardAt.has(c.id!) ? [log.cardAt.get(c.id!)! - c.sentAt] : []));
    const answered = invokes.filter((c) => c.status === 200);
    const invokeToUpdate = invokes.flatMap((c) => (log.approvedAt.has(c.id) ? [log.approvedAt.get(c.id)! - c.sentAt] : []));
    await stop();
    const baseline = await queueBaseline(backend, redisUrl ?? db.url, RATE, BASELINE_SECONDS);
    const result: RunResult = {
      load,
      benchLag: lag.percentile(99) / 1e6,
      intake: stats(accepted.map((c) => c.responseMs)),
      submitted: cards.length,
      rejected: cards.length - accepted.length,
      cards: cardMs.length,
      duplicateCards: log.duplicateCards,
      card: stats(cardMs),
      invokes: invokes.length,
      invokeSkipped,
      answered: answered.length,
      approvedAnswers: answered.filter((c) => c.approved).length,
      answer: stats(answered.map((c) => c.answerMs)),
      updated: invokeToUpdate.length,
      invokeToUpdate: stats(invokeToUpdate),
      unexpected: fake.unexpected.length + fake.calls().filter((c) => c.status !== 200 && c.status !== 201).length,
      baselineJobs: baseline.jobs,
      baseline: baseline.stats,
      cpu,
    };
    console.log(
      `${backend} run ${run}: intake p99 ${f(result.intake.p99)}; cards ${result.cards}/${result.submitted} p50 ${f(result.card.p50)} p99 ${f(result.card.p99)}; ` +
        `invokes ${result.answered}/${result.invokes} (${result.approvedAnswers} approved) answer p50 ${f(result.answer.p50)} p99 ${f(result.answer.p99)}, → update p99 ${f(result.invokeToUpdate.p99)} (${result.updated}); ` +
        `baseline p50 ${f(result.baseline.p50)} p99 ${f(result.baseline.p99)}; unexpected connector answers ${result.unexpected}; load ${load.toFixed(2)}, bench loop delay p99 ${f(result.benchLag)}; ` +
        `CPU % of a core: server ${result.cpu.server.toFixed(0)}, postgres ${result.cpu.postgres.toFixed(0)}, bench ${result.cpu.bench.toFixed(0)}, machine ${result.cpu.busy.toFixed(0)}/200, steal ${result.cpu.steal.toFixed(0)}`,
    );
    return result;
  } finally {
    await server?.stop();
    await pool.end();
    await fake.close();
    policy.remove();
    if (process.env.BENCH_KEEP_DB) console.log(`kept database ${db.name}`);
    else await db.drop();
    if (redisUrl) await flushRedis(redisUrl);
  }
}

function table(rows: RunResult[]) {
  const m = (get: (r: RunResult) => number) => median(rows.map(get));
  const sum = (get: (r: RunResult) => number) => rows.reduce((a, r) => a + get(r), 0);
  const ok = (b: boolean) => (b ? 'met' : '**missed**');
  const line = (label: string, get: (r: RunResult) => Stats, count: string, target: string) =>
    `| ${label} | ${f(m((r) => get(r).p50))} | ${f(m((r) => get(r).p99))} | ${f(m((r) => get(r).max))} | ${count} | ${target} |`;
  return `| | p50 ms | p99 ms | max ms | arrived / sent (all runs) | target |
|---|---|---|---|---|---|
${line('(context) intake: POST → 201 response', (r) => r.intake, `${sum((r) => r.intake.n)} / ${sum((r) => r.submitted)}`, '')}
${line('card: POST sent → connector receives the card', (r) => r.card, `${sum((r) => r.cards)} / ${sum((r) => r.submitted)}`, `p99 < 100 ms: ${ok(m((r) => r.card.p99) < 100)}`)}
${line('invoke answer (HTTP response to /api/messages, the updated card)', (r) => r.answer, `${sum((r) => r.answered)} / ${sum((r) => r.invokes)} (${sum((r) => r.approvedAnswers)} showing the approval)`, `p99 < 100 ms: ${ok(m((r) => r.answer.p99) < 100)}`)}
${line('invoke → shared card updated "Approved"', (r) => r.invokeToUpdate, `${sum((r) => r.updated)} / ${sum((r) => r.invokes)}`, '')}
${line('queue-only baseline: add → worker picks up', (r) => r.baseline, `${sum((r) => r.baseline.n)} / ${sum((r) => r.baselineJobs)}`, '')}

CPU during the measured window, % of one core (medians over runs): server ${m((r) => r.cpu.server).toFixed(0)}, Postgres ${m((r) => r.cpu.postgres).toFixed(0)}, bench process (load, fake Bot Framework, token signing) ${m((r) => r.cpu.bench).toFixed(0)}; whole machine ${m((r) => r.cpu.busy).toFixed(0)} of 200 (steal ${m((r) => r.cpu.steal).toFixed(0)}).`;
}

function perRun(rows: RunResult[]) {
  return rows
    .map(
      (r, i) =>
        `run ${i + 1} (load avg ${r.load.toFixed(2)}, bench event-loop delay p99 ${f(r.benchLag)} ms, CPU stolen by the host ${r.cpu.steal.toFixed(0)}% of a core): card p99 ${f(r.card.p99)}, answer p99 ${f(r.answer.p99)}, invoke → update p99 ${f(r.invokeToUpdate.p99)}, baseline p99 ${f(r.baseline.p99)}` +
        (r.rejected ? `, ${r.rejected} submissions not 201` : '') +
        (r.duplicateCards ? `, ${r.duplicateCards} duplicate cards` : '') +
        (r.unexpected ? `, ${r.unexpected} unexpected connector answers` : '') +
        (r.invokeSkipped ? `, ${r.invokeSkipped} invoke slots with no fresh card` : ''),
    )
    .join('; ');
}

async function main() {
  assertLocal('DATABASE_URL', ADMIN_URL);
  assertLocal('REDIS_URL', REDIS_URL);
  const ca = createTestCa();
  const results = new Map<Backend, RunResult[]>();
  try {
    for (const backend of BACKENDS) {
      const rows: RunResult[] = [];
      for (let run = 1; run <= RUNS; run++) rows.push(await runOnce(backend, run, ca));
      results.set(backend, rows);
    }
  } finally {
    ca.remove();
  }
  const sections = [...results].map(
    ([backend, rows]) => `### ${backend === 'redis' ? `Redis backend (\`REDIS_URL\`, database ${REDIS_DB})` : 'PostgreSQL backend (`REDIS_URL` unset)'}

${table(rows)}

Per run: ${perRun(rows)}.`,
  );
  await writeSection(
    'teams',
    `## Teams approval loop: \`npm run bench:teams\`

Machine: ${machine()}; Postgres 15 (autovacuum off in this machine's configuration; nothing here depends on it) and Redis on the same machine. ${RUNS} run${RUNS === 1 ? '' : 's'} of ${SECONDS} s per backend, each on a fresh database, medians over runs shown.
One \`npm start\` process (role all) with Teams configured and the real botbuilder, started with \`NODE_EXTRA_CA_CERTS\` so it trusts a throwaway CA (\`test/support/test-ca.ts\`); the Bot Framework it talks to (login, OpenID keys, connector) is the local fake \`test/fakes/fake-bot-framework.ts\`, over https, in the bench process, which enforces no Teams limits (Airlock paces itself per conversation: 6 at once, then one every 2 s). The policy is \`test/fixtures/approval-policy.yml\` plus ${CHANNELS} reviewer groups, each with its own conversation (\`bench/chat-policy.ts\`).
After a warm-up of ${WARMUP} cards and 5 invokes (not counted), for ${SECONDS} s:

- **cards**: submitted open-loop at ${RATE}/s over keep-alive connections, round-robin over the ${CHANNELS} conversations (${(RATE / CHANNELS).toFixed(2)} a second each, within Teams' one every 2 s); latency = the fake connector receives the card (\`sendToConversation\`) − the POST was sent;
- **invokes**, during the same load: ${INVOKE_COUNT} \`adaptiveCard/action\` Approve invokes as a listed reviewer, ≤ ${INVOKE_MAX_RATE}/s, each on the newest card not yet clicked, each with a fresh channel token signed by the fake's key (checked by Airlock's own validation and by botbuilder); answer = the HTTP response (the invoke response with the updated card); then until the fake receives the update of the shared card showing "Approved";
- **queue-only baseline**, same backend, after the server is stopped: a BullMQ Queue in the bench process adds no-op jobs at ${RATE}/s for ${BASELINE_SECONDS} s to a Worker (concurrency 16) in a child process; latency = the processor starts − \`add\` was called.

Targets: card p99 < 100 ms; invoke answer p99 < 100 ms.
"max" is the median over runs of each run's maximum. The fake records its timestamps in the bench process, so they can be late by up to that process's event-loop delay (shown per run); the bench process also does the fake's TLS and signs a token per invoke.

${sections.join('\n\n')}`,
  );
}

runBench(main);
