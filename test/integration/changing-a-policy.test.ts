import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SlackDirectory } from '../../adapters/slack/slack-directory.js';
import { TeamsDirectory } from '../../adapters/teams/teams-directory.js';
import { wireUseCases } from '../../src/main/use-cases.js';
import type { Policy } from '../../src/domain/policy-model.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { chatDirectories } from '../../src/ports/chat-platform.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { runCli } from '../support/run-cli.js';
import { fencedBlocks, missingFromOutput, shellWords, shownCommands, type ShownCommand } from '../support/shown-commands.js';
import { waitFor } from '../support/wait-for.js';

/**
 * docs/changing-a-policy.md walks a policy owner through giving issue_refund
 * more autonomy. Every command its ```sh blocks show runs here, in the
 * page's order, against a real database holding the history the page talks
 * about: three weeks of refunds, the last of them also judged by the shadow
 * candidate, then, once the page's `policy reload` puts the 10 % stage live,
 * five days of the rollout.
 * Each must exit as the page says and print what its ```text excerpt shows.
 * A command the page adds that does not run, or prints something else,
 * fails here.
 */
const PAGE = 'docs/changing-a-policy.md';
const SHIPPED = 'examples/policy.yml';
const CANDIDATE = 'examples/candidate-policy.yml';
const page = readFileSync(PAGE, 'utf8');
const commands = shownCommands(page);
const yamlBlocks = fencedBlocks(page).filter((b) => b.lang === 'yaml');
const DAY = 86_400_000;

let t: TestAirlock;
let dir: string;
/** The file the server loads (POLICY_FILE): the shipped policy, then the page's 10 % stage. */
let liveFile: string;
let env: Record<string, string>;
/** The instant the server's clock shows while the history is written (in the past, exactly), else undefined: now. */
let at: number | undefined;
let review: (id: string, as: string, decision: 'approve' | 'deny', reason?: string) => Promise<void>;
let auth: string;

// The requesters on whose behalf the support bot asks for refunds; U0REQ4 and U0REQ13 fall in the 10 % slice.
const REQUESTERS = Array.from({ length: 20 }, (_, i) => `U0REQ${i + 1}`);
const AMOUNTS = [600, 1500, 2200, 2900, 3700, 4800, 7500, 15_000];

/** `count` refunds from the support bot, spread from `fromDay` to `toDay` days ago; reviewers decide what queues, the agent reports what ran. */
async function refunds(count: number, fromDay: number, toDay: number) {
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    at = now - (fromDay - ((fromDay - toDay) * i) / count) * DAY;
    const args = { order_id: `o-${fromDay}-${i}`, amount_cents: AMOUNTS[i % AMOUNTS.length]! };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/actions',
      headers: { authorization: auth },
      payload: { tool: 'issue_refund', args, requester: { id: REQUESTERS[i % REQUESTERS.length] }, environment: 'production', context: { confidence: i % 10 === 9 ? 0.6 : 0.9 } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const action = res.json() as { id: string; status: string };
    if (action.status === 'pending') {
      // Two of finance, a few minutes apart; now and then one of them denies.
      at += (2 + (i % 5)) * 60_000;
      if (i % 12 === 5) {
        await review(action.id, 'U0FIN3', 'deny', 'already refunded by the bank');
        continue;
      }
      await review(action.id, 'U0FIN1', 'approve');
      at += (1 + (i % 3)) * 60_000 + 30_000;
      await review(action.id, 'U0FIN2', 'approve');
    }
    at += 60_000;
    const done = await t.app.inject({ method: 'POST', url: `/v1/actions/${action.id}/result`, headers: { authorization: auth }, payload: { outcome: 'succeeded', args } });
    expect(done.statusCode, done.body).toBe(200);
  }
  at = undefined;
}

/** The percent of issue_refund's single rollout slice. */
const sliceOf = (policy: Policy) => {
  const stage = policy.tools.get('issue_refund')?.rollout?.[0];
  return stage?.kind === 'slice' ? stage.percent : undefined;
};

/** The candidate with its rollout replaced by one the page shows. */
const withRollout = (candidate: string, rollout: string) => {
  const replaced = candidate.replace(/^ {4}rollout:.*\n(?: {6}.*\n)+/m, rollout);
  expect(replaced).not.toBe(candidate);
  return replaced;
};
const rolloutBlocks = () => yamlBlocks.filter((b) => b.text.trimStart().startsWith('rollout:')).map((b) => b.text);

/**
 * The page's 10 % stage as the live file, its review dates moved by as many
 * days as have passed since the day the page's `policy review` excerpt was
 * made: the page shows the dates as they stood then, and the test replays
 * that day.
 */
function tenPercentLive(): string {
  const today = /\(today (\d{4}-\d\d-\d\d), UTC\)/.exec(commands.flatMap((c) => c.output).join('\n'))?.[1];
  expect(today, 'the page shows a `policy review` excerpt with its day').toBeDefined();
  const shift = Math.round((Date.parse(new Date().toISOString().slice(0, 10)) - Date.parse(today!)) / DAY);
  const moved = rolloutBlocks()[0]!.replace(/review_by: (\d{4}-\d\d-\d\d)/g, (_, d: string) => `review_by: ${new Date(Date.parse(d) + shift * DAY).toISOString().slice(0, 10)}`);
  return withRollout(readFileSync(CANDIDATE, 'utf8'), moved);
}

/** What the test does for the commands of the page that are not the CLI (starting the server, scraping it). */
async function runOther(cmd: ShownCommand): Promise<{ code: number; out: string }> {
  const words = shellWords(cmd.line);
  const shadow = /^POLICY_SHADOW_FILE=(\S+)$/.exec(words[0] ?? '');
  if (shadow && words.slice(1).join(' ') === 'npm start') {
    // The server of this test was started so, before the history was written.
    expect(t.core.env.POLICY_SHADOW_FILE).toBe(shadow[1]);
    return { code: 0, out: '' };
  }
  const scrape = /^curl -s http:\/\/127\.0\.0\.1:3000\/metrics \| grep (\S+)$/.exec(cmd.line);
  if (scrape) {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    const lines = res.body.split('\n').filter((l) => l.includes(scrape[1]!));
    return { code: lines.length > 0 ? 0 : 1, out: lines.join('\n') };
  }
  throw new Error(`${PAGE} shows a command this test does not know how to run: ${cmd.line}`);
}

/** The page's CLI commands, as `npm run -s airlock -- …` or `airlock …`; undefined for anything else. */
const cliArgs = (line: string): string[] | undefined => {
  const words = shellWords(line);
  if (words.slice(0, 4).join(' ') === 'npm run -s airlock' && words[4] === '--') return words.slice(5);
  if (words[0] === 'airlock') return words.slice(1);
  return undefined;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-walkthrough-'));
  liveFile = join(dir, 'policy.yml');
  await writeFile(liveFile, readFileSync(SHIPPED, 'utf8'));
  const shadowFile = commands.map((c) => /^POLICY_SHADOW_FILE=(\S+) npm start$/.exec(c.line)?.[1]).find(Boolean);
  expect(shadowFile, 'the page starts the server with POLICY_SHADOW_FILE').toBe(CANDIDATE);
  t = await startAirlock({ policyFile: liveFile, env: { POLICY_SHADOW_FILE: shadowFile! }, clock: { now: () => new Date(at ?? Date.now()) }, processors: false });
  env = { DATABASE_URL: t.db.url, POLICY_FILE: liveFile, REDIS_URL: '', SLACK_BOT_TOKEN: '' };
  auth = await t.agentAuth('acme', 'support-bot');
  // Reviewers decide as `airlock review approve|deny --as` would, in this process so that they decide on its clock.
  const useCases = wireUseCases(t.core, {
    jobs: t.approvals.jobs,
    platforms: t.approvals.platforms,
    directories: chatDirectories([SlackDirectory.create(undefined, 'http://127.0.0.1:9/'), new TeamsDirectory()]),
    background: () => undefined,
  });
  review = async (id, as, decision, reason) => {
    const result = await useCases.operatorReview(t.core.policy.current().tenants.get('acme')!, id, { as, operator: 'walkthrough', decision, reason });
    expect(result.kind).toBe('accepted');
  };
  // Refunds before and during the shadow week (the plan replays both, the shadow report reads the week):
  // the live policy queues every refund above 10.00, the shadow candidate judges each too.
  await refunds(16, 20, 8);
  await refunds(24, 6.9, 5.5);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`${PAGE}, run as written`, { timeout: 120_000 }, () => {
  it('shows commands, and every one of them is one this test runs', () => {
    expect(commands.length).toBeGreaterThan(5);
    for (const c of commands) expect(cliArgs(c.line) ?? /^POLICY_SHADOW_FILE=|^curl -s /.test(c.line), c.line).toBeTruthy();
  });

  let rolledOut = false;
  for (const cmd of commands) {
    it(`${cmd.section}: \`${cmd.line}\` exits ${cmd.exit} and prints what the page shows`, async () => {
      const args = cliArgs(cmd.line);
      if (args?.slice(0, 2).join(' ') === 'policy reload' && !rolledOut) {
        // The owner has put the page's 10 % stage into the file the servers load.
        await writeFile(liveFile, tenPercentLive());
      }
      const res = args ? await runCli(args, env) : await runOther(cmd).then((r) => ({ code: r.code, stdout: r.out, stderr: '' }));
      if (args?.slice(0, 2).join(' ') === 'policy reload' && !rolledOut) {
        rolledOut = true;
        await waitFor(() => sliceOf(t.core.policy.current()) === 10, { what: 'the 10 % stage live' });
        // Five days of the rollout: the two requesters in the slice get their refunds at once.
        await refunds(32, 4.9, 0.2);
      }
      const printed = `${res.stdout}\n${res.stderr}`;
      expect(res.code, printed).toBe(cmd.exit);
      expect(missingFromOutput(cmd.output, printed), `output of ${cmd.line}:\n${printed}`).toEqual([]);
    });
  }
});

describe(`the policy files ${PAGE} shows`, () => {
  const withoutRefunds = (text: string) => text.replace(/^#.*\n/gm, '').replace(/^ {2}issue_refund:\n(?:(?: {4}.*)?\n)*/m, '');

  it(`are ${SHIPPED} with issue_refund changed, and nothing else`, () => {
    const candidate = readFileSync(CANDIDATE, 'utf8');
    expect(() => parsePolicy(candidate)).not.toThrow();
    // When this fails after an edit of the shipped policy, make the same edit in the candidate.
    expect(withoutRefunds(candidate), `${CANDIDATE} must be ${SHIPPED} with only issue_refund changed`).toBe(withoutRefunds(readFileSync(SHIPPED, 'utf8')));
    expect(candidate).not.toBe(readFileSync(SHIPPED, 'utf8'));
  });

  it('show the candidate as it is, and rollout stages of 10, 50 and 100 % by requester.id, each valid and each with a review date', () => {
    const candidate = readFileSync(CANDIDATE, 'utf8');
    const stages = rolloutBlocks();
    for (const block of yamlBlocks.filter((b) => !stages.includes(b.text) && !/^jobs:/m.test(b.text))) expect(candidate, 'a YAML excerpt of the candidate').toContain(block.text);
    const percents = stages.map((block) => {
      const policy = parsePolicy(withRollout(candidate, block));
      expect(policy.tools.get('issue_refund')?.rollout).toEqual([
        expect.objectContaining({ kind: 'slice', by: 'requester.id', mode: 'allow', reviewBy: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) }),
      ]);
      return sliceOf(policy);
    });
    expect(percents).toEqual([10, 50, 100]);
  });
});

describe('the CI gate on a policy pull request', () => {
  const plan = commands.find((c) => cliArgs(c.line)?.slice(0, 2).join(' ') === 'policy plan')!;
  const snippets = [
    { where: PAGE, text: yamlBlocks.find((b) => /^jobs:/m.test(b.text))?.text },
    { where: 'README.md', text: /## Policy changes in CI[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))?.[1] },
  ];

  it.each(snippets)('$where: a workflow step that runs the page’s `policy plan` on the pull request’s policy and fails on 3 and 1, passes on 0 and 2', async ({ text }) => {
    expect(text).toBeDefined();
    const doc = parseYaml(text!) as { on?: { pull_request?: { paths?: string[] } }; jobs?: Record<string, { steps: { run?: string }[] }> } | { run?: string }[];
    const steps = Array.isArray(doc) ? doc : Object.values(doc.jobs ?? {}).flatMap((j) => j.steps);
    const step = steps.find((s) => s.run?.includes('policy plan'));
    expect(step?.run).toBeDefined();
    for (const [code, passes] of [[0, true], [2, true], [3, false], [1, false]] as const) {
      // As GitHub runs a step (bash -e), with npm standing in for the real call: it says what it was asked and exits `code`.
      const run = promisify(execFile)('bash', ['-e', '-c', `npm() { echo "npm $*"; return ${code}; }\n${step!.run}`]);
      const out = await run.then((r) => ({ ok: true, stdout: r.stdout }), (e: { stdout: string }) => ({ ok: false, stdout: e.stdout }));
      expect(out.ok, `exit ${code}`).toBe(passes);
      const asked = shellWords(out.stdout.split('\n').find((l) => l.startsWith('npm '))!);
      const args = cliArgs(asked.join(' '))!;
      const shown = cliArgs(plan.line)!;
      // The same command as the page's, on the file the pull request changes.
      expect([...args.slice(0, 2), ...args.slice(3)]).toEqual([...shown.slice(0, 2), ...shown.slice(3)]);
      if (!Array.isArray(doc)) expect(doc.on?.pull_request?.paths).toContain(args[2]);
    }
  });
});
