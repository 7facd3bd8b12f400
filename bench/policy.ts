import { evaluatePolicy, type EvaluationRequest } from '../src/domain/evaluate-policy.js';
import { NO_OVERRIDES } from '../src/domain/policy-model.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { machine, median, percentile, writeSection } from './lib.js';

/**
 * npm run bench:policy — pure evaluatePolicy() on a 100-tool policy where every
 * tool has CEL conditions. Baseline in the same run: a trivial pure function
 * call through the same loop (the loop's own cost).
 */
const TOOLS = 100;
const ITERATIONS = 200_000;
const RUNS = 5;

function buildPolicy() {
  const tools = Array.from({ length: TOOLS }, (_, i) => `  tool_${i}:
    owner: bench
    risk: ${['low', 'medium', 'high'][i % 3]}
    mode: ${i % 2 ? 'approval_required' : 'allow'}
    safest_mode: observe
    approval: { reviewers: leads, timeout: 15m }
    when:
      - if: "args.amount_cents > ${50000 + i}"
        then: deny
      - if: "context.confidence < 0.7 && environment == 'production'"
        then: approval_required
      - if: "has(args.to) && args.to.endsWith('@example.com')"
        then: draft_write`).join('\n');
  return parsePolicy(`tenants:
  acme:
    reviewer_groups: { leads: { slack: { channel: C1, users: [U1] } } }
    agents:
      bot: { tools: [${Array.from({ length: TOOLS }, (_, i) => `tool_${i}`).join(', ')}] }
tools:
${tools}
`);
}

function measure(fn: (i: number) => unknown): { p50: number; p99: number; mean: number } {
  const samples = new Float64Array(ITERATIONS);
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink ^= fn(i) ? 1 : 0; // warm-up for the JIT
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    sink ^= fn(i) ? 1 : 0;
    samples[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  if (sink === 42) console.log('');
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function main() {
  const policy = buildPolicy();
  const requests: EvaluationRequest[] = Array.from({ length: 64 }, (_, i) => ({
    tenant: 'acme',
    agent: 'bot',
    tool: `tool_${(i * 37) % TOOLS}`,
    args: { amount_cents: 1000 * i, to: i % 2 ? 'jane@example.com' : 'joe@corp.test', order_id: `o${i}` },
    context: { confidence: (i % 10) / 10 },
    requester: { id: 'U1' },
    workflow: 'bench',
    environment: i % 3 ? 'production' : 'staging',
  }));
  const overrides = { ...NO_OVERRIDES, version: 1 };
  const runs = Array.from({ length: RUNS }, () => ({
    evaluate: measure((i) => evaluatePolicy({ policy, overrides, request: requests[i & 63]! }).decision),
    baseline: measure((i) => requests[i & 63]!.tool.length),
  }));
  const p50 = median(runs.map((r) => r.evaluate.p50));
  const p99 = median(runs.map((r) => r.evaluate.p99));
  const base = median(runs.map((r) => r.baseline.p50));
  console.log(`evaluate p50 ${p50.toFixed(2)} µs, p99 ${p99.toFixed(2)} µs; loop baseline p50 ${base.toFixed(2)} µs`);
  await writeSection(
    'policy',
    `## Policy evaluation: \`npm run bench:policy\`

Machine: ${machine()}. Pure \`evaluatePolicy()\` on a ${TOOLS}-tool policy, each tool with 3 CEL conditions (compiled once at load),
64 request shapes rotating; ${ITERATIONS.toLocaleString('en')} timed calls per run, ${RUNS} runs, medians shown. Each call is timed
with \`process.hrtime\`, so the figure includes the timer itself; the baseline row is the same loop around a trivial call.

| | p50 µs | p99 µs |
|---|---|---|
| evaluatePolicy | ${p50.toFixed(2)} | ${p99.toFixed(2)} |
| loop + timer baseline | ${base.toFixed(2)} | ${median(runs.map((r) => r.baseline.p99)).toFixed(2)} |

Target: p50 under 10 µs.`,
  );
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
