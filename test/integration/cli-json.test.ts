import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET } from '../support/slack-requests.js';

/**
 * Every command that lists takes --json and prints one JSON document a script
 * can parse; what an agent wrote stays escaped there too. Help for each
 * command says what that command takes.
 */
let t: SlackTestAirlock;
let env: Record<string, string>;

// Each CLI call starts a process (tsx); on a loaded machine that takes seconds.
const SLOW = 240_000;

beforeAll(async () => {
  t = await startSlackAirlock();
  env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
});
afterAll(() => t.close());

/** The one JSON document the command printed (JSON.parse throws on anything else, such as a line per item). */
async function json(args: string[]) {
  const out = await runCli(args, env);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout);
}

/** Characters a terminal acts on or hides; none may reach it raw, in JSON either. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

describe('airlock CLI --json', () => {
  it('prints the open approvals and one action as JSON documents, with what the agent wrote escaped', { timeout: SLOW }, async () => {
    const a = await t.submit('send_email', { summary: 'Refund\u001b[2J\u202eforged\u0085', args: { to: 'x@example.com', subject: 'Hi\u2028there' } });
    const listed = await json(['review', 'list', '--tenant', 'acme', '--json']);
    expect(listed).toMatchObject({ tenant: 'acme', count: expect.any(Number) });
    expect(listed.items).toContainEqual(expect.objectContaining({ id: a.id, tool: 'send_email', agent: 'bot', reviewer_group: 'leads' }));

    const out = await runCli(['review', 'show', a.id, '--tenant', 'acme', '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).not.toMatch(RAW_CONTROL);
    const shown = JSON.parse(out.stdout);
    expect(shown).toMatchObject({ id: a.id, status: 'pending', tool: 'send_email', reviewer_group: 'leads', summary: 'Refund\u001b[2J\u202eforged\u0085', args: { subject: 'Hi\u2028there' } });
  });

  it('prints admin status and pending as JSON documents', { timeout: SLOW }, async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 'status' } });
    const status = await json(['admin', '--tenant', 'acme', 'status', '--json']);
    expect(status).toMatchObject({ tenant: 'acme', incident: { on: false }, denied_tools: [], killed_agents: [], pending: { count: expect.any(Number) } });
    expect(status.pending.count).toBeGreaterThan(0);
    const pending = await json(['admin', '--tenant', 'acme', 'pending', '--json']);
    expect(pending.items).toContainEqual(expect.objectContaining({ id: a.id, tool: 'send_email' }));
  });

  it('prints the agents as one JSON array and the audit check as one JSON document', { timeout: SLOW }, async () => {
    const agents = await json(['agent', 'list', '--tenant', 'acme', '--json']);
    expect(Array.isArray(agents)).toBe(true);
    expect(agents).toContainEqual(expect.objectContaining({ tenant: 'acme', agent: 'bot' }));
    const verified = await json(['audit', 'verify', '--tenant', 'acme', '--json']);
    expect(verified).toMatchObject({ tenant: 'acme', ok: true, problems: 0, problem_details: [] });
  });
});

describe('airlock help <command>', () => {
  it('says what each command takes: migrate takes no command, mcp-gateway and import-mcp list every flag', { timeout: SLOW }, async () => {
    const migrate = await runCli(['help', 'migrate'], env);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('usage: npm run airlock -- migrate\n');
    expect(migrate.stdout).not.toContain('<command>');

    const gateway = await runCli(['help', 'mcp-gateway'], env);
    expect(gateway.code).toBe(0);
    for (const flag of ['--agent-key', '--url', '--upstream-url', '--server-name', '--requester', '--requester-email', '--workflow', '--environment', '--read-only', '--drafts', '--approval-timeout', '--http', '--host']) {
      expect(gateway.stdout, flag).toContain(flag);
    }

    const importMcp = await runCli(['policy', 'import-mcp', '--help'], env);
    expect(importMcp.code).toBe(0);
    expect(importMcp.stdout).toContain('usage: npm run airlock -- policy import-mcp [--server-name S] [--upstream-url URL] -- <upstream command...>');
  });
});
