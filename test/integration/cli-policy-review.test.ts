import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

/**
 * Review dates from the operator's shell: `policy check` warns about controls
 * past their date but still passes, and `policy review` lists what is past or
 * due within 14 days, with the owner to ask.
 */
let dir: string;
let file: string;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const soon = day(5);
const later = day(100);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-review-'));
  file = join(dir, 'policy.yml');
  const base = await readFile('test/fixtures/rollout-policy.yml', 'utf8');
  const dated = base
    // The segment stage keeps its past date (2020-01-01): overdue.
    .replace('  send_email:\n    owner: support-platform\n', `  send_email:\n    owner: support-platform\n    review_by: ${soon}\n`)
    .replace("        then: deny\n", `        then: deny\n        review_by: ${later}\n`);
  expect(dated).not.toBe(base);
  await writeFile(file, dated);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = { DATABASE_URL: '', REDIS_URL: '', SLACK_BOT_TOKEN: '' };

describe('review dates on the command line', () => {
  it('`policy check` warns about a control past its review date, with its owner, and still exits 0', async () => {
    const res = await runCli(['policy', 'check', file], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(': ok');
    expect(res.stderr).toContain('warning: tools.send_email.rollout[0] (owner support-platform) was due for review on 2020-01-01');
    // Only past dates warn: one due soon is for `policy review`.
    expect(res.stderr.match(/warning:/g)).toHaveLength(1);
  });

  it('`policy review` lists what is overdue or due within 14 days, with owners, and leaves out later dates', async () => {
    const res = await runCli(['policy', 'review', file], env);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toContain('1 overdue, 1 due within 14 days');
    expect(lines[1]).toMatch(/OVERDUE\s+2020-01-01 \(\d+ days ago\)\s+tools\.send_email\.rollout\[0\]\s+owner support-platform\s+if environment == 'staging' → allow/);
    expect(lines[2]).toMatch(new RegExp(`due\\s+${soon} \\(in 5 days\\)\\s+tools\\.send_email\\s+owner support-platform`));
    expect(lines).toHaveLength(3);
    expect(res.stdout).not.toContain('when[0]');
  });

  it('`policy review --json` prints one JSON document of the same controls', async () => {
    const res = await runCli(['policy', 'review', '--json', file], env);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({ window_days: 14, overdue: 1, due_soon: 1 });
    expect(report.controls).toEqual([
      { control: 'tools.send_email.rollout[0]', tool: 'send_email', owner: 'support-platform', what: "if environment == 'staging' → allow", review_by: '2020-01-01', days_left: expect.any(Number), status: 'overdue' },
      { control: 'tools.send_email', tool: 'send_email', owner: 'support-platform', what: 'mode approval_required', review_by: soon, days_left: 5, status: 'due_soon' },
    ]);
  });

  it('`policy review` says so when nothing is due', async () => {
    const res = await runCli(['policy', 'review', 'examples/policy.yml'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('No control is past its review date or due within 14 days');
  });
});
