import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';

/**
 * `review list` prints short ids; `review show`, `approve` and `deny` take
 * them (or any unambiguous start of an id), only ever within the tenant named.
 */
let t: SlackTestAirlock;
let env: Record<string, string>;

const SLOW = 240_000;

beforeAll(async () => {
  t = await startSlackAirlock();
  env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
});
afterAll(() => t.close());

const review = (...args: string[]) => runCli(['review', ...args], env);
const email = { args: { to: 'x@example.com', subject: 'Refund on its way' } };

describe('airlock review with short ids', () => {
  it('shows and approves an action by the short id review list prints', { timeout: SLOW }, async () => {
    const a = await t.submit('send_email', email);
    const short = a.id.slice(0, 8);
    const list = await review('list', '--tenant', 'acme');
    expect(list.stdout).toMatch(new RegExp(`^${short}  send_email  by bot`, 'm'));
    expect(list.stdout).not.toContain(a.id);

    const show = await review('show', short, '--tenant', 'acme');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`action        ${a.id}`);

    const approved = await review('approve', short.toUpperCase(), '--tenant', 'acme', '--as', 'U0LEAD1');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(a.id);
    expect((await t.get(a.id)).status).toBe('approved');
  });

  it('refuses a prefix several actions start with, naming them, and decides nothing', { timeout: SLOW }, async () => {
    // Sixteen hex digits: among seventeen ids two start alike.
    const byFirst = new Map<string, string[]>();
    let shared: string[] | undefined;
    while (!shared) {
      const a = await t.submit('send_email', email);
      const same = [...(byFirst.get(a.id[0]!) ?? []), a.id];
      byFirst.set(a.id[0]!, same);
      if (same.length === 2) shared = same;
    }
    const prefix = shared[0]![0]!;
    const out = await review('deny', prefix, '--tenant', 'acme', '--as', 'U0LEAD1', '--reason', 'which one?');
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`${prefix} is the start of more than one action in tenant acme`);
    for (const id of shared) expect(out.stderr).toContain(id);
    for (const id of shared) expect((await t.get(id)).status).toBe('pending');
  });

  it('never finds another tenant’s action, by short or full id', { timeout: SLOW }, async () => {
    const globex = await t.submit('send_email', email, await t.agentAuth('globex', 'bot'));
    for (const id of [globex.id.slice(0, 8), globex.id]) {
      const out = await review('show', id, '--tenant', 'acme');
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(`No action ${id} in tenant acme.`);
      expect(out.stdout).toBe('');
    }
  });
});
