import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredSeries, parseSamples, sampleValue } from '../support/prometheus-text.js';
import { runCli } from '../support/run-cli.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { SIGNING_SECRET, approveClick, postInteraction } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * /metrics answers questions about the gate: what it decided, for which
 * tenant and tool; what reviewers did; how long approvals take; what is open
 * now (read from Postgres, so every process and a restarted one agree); and
 * whether cards and callbacks get through. Labels carry only what the policy
 * declares.
 */
let t: SlackTestAirlock;
let receiver: Server;
const received: string[] = [];

beforeAll(async () => {
  // The callback receiver listens on loopback, as an internal receiver would be allowed.
  t = await startSlackAirlock({ env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' } });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await t?.close();
});

const scrape = async (app: FastifyInstance = t.app) => {
  const res = await app.inject('/metrics');
  expect(res.statusCode).toBe(200);
  return res.body;
};
/** Polls /metrics until the sample has this value. */
const until = (name: string, labels: Record<string, string>, value: number, app: FastifyInstance = t.app) =>
  waitFor(async () => sampleValue(await scrape(app), name, labels) === value, {
    what: `${name}${JSON.stringify(labels)} = ${value}`,
    timeoutMs: 15_000,
  });
const cardPosted = (id: string) => t.slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(id));

describe('/metrics', () => {
  it('counts decisions by tenant, tool and decision, with a tool the policy does not declare as other', async () => {
    await t.submit('read');
    await t.submit('read');
    const unknown = await t.submit('no_such_tool');
    expect(unknown.decision).toBe('deny');

    const text = await scrape();
    expect(sampleValue(text, 'airlock_decisions_total', { tenant: 'acme', tool: 'read', decision: 'allow' })).toBe(2);
    expect(sampleValue(text, 'airlock_decisions_total', { tenant: 'acme', tool: 'other', decision: 'deny' })).toBe(1);
    // An agent's made-up name never becomes a label value.
    expect(text).not.toContain('no_such_tool');
    expect(sampleValue(text, 'airlock_intake_duration_seconds_count', { decision: 'allow' })).toBeGreaterThanOrEqual(2);
  });

  it('follows an approval from its card to its callback: card posts, reviews, time to decision, card updates, callbacks', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' }, callback_url: url });
    await cardPosted(a.id);
    await until('airlock_card_posts_total', { platform: 'slack', outcome: 'posted' }, 1);

    // The requester may not approve their own action: refused, and counted as such.
    expect((await postInteraction(t.app, approveClick({ user: 'U0SAM', actionId: a.id }))).statusCode).toBe(200);
    await until('airlock_reviews_total', { tenant: 'acme', group: 'leads', outcome: 'refused' }, 1);
    expect((await postInteraction(t.app, approveClick({ user: 'U0LEAD1', actionId: a.id }))).statusCode).toBe(200);
    await until('airlock_reviews_total', { tenant: 'acme', group: 'leads', outcome: 'approved' }, 1);

    const text = await scrape();
    expect(sampleValue(text, 'airlock_time_to_decision_seconds_count', { tenant: 'acme', group: 'leads' })).toBe(1);
    expect(sampleValue(text, 'airlock_time_to_decision_seconds_bucket', { tenant: 'acme', group: 'leads', le: '+Inf' })).toBe(1);

    await waitFor(() => received.some((b) => b.includes(a.id)), { what: 'the callback' });
    await until('airlock_callbacks_total', { outcome: 'delivered' }, 1);
    await waitFor(async () => (sampleValue(await scrape(), 'airlock_card_updates_total', { platform: 'slack', outcome: 'updated' }) ?? 0) >= 1, {
      what: 'the card update counted',
    });
  });

  it('counts the reviews an operator records with the CLI as it counts clicks: taken over by the worker, with their time to decision', { timeout: 60_000 }, async () => {
    // The CLI on the server's database and queues, reading reviewers from the same Slack.
    const env = { DATABASE_URL: t.db.url, POLICY_FILE: 'test/fixtures/approval-policy.yml', REDIS_URL: '', SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: t.slack.url };
    const review = (...args: string[]) => runCli(['review', ...args, '--tenant', 'acme'], env);
    // Refused before it reaches the review rules: the requester is named by an email this Slack does not show for the reviewer.
    const unreadable = await t.submit('refund', { args: { amount: 5 } });
    expect((await review('approve', unreadable.id, '--as', 'U0FIN1')).stderr).toContain('cannot read the email address');
    // A refund needs two approvers of finance; refused by the rules a click obeys, counted, then approved.
    const a = await t.submit('refund', { args: { amount: 5 }, requester: { id: 'U0SAM' } });
    expect((await review('approve', a.id, '--as', 'U0LEAD1')).stderr).toContain('Only members of the finance group');
    expect((await review('approve', a.id, '--as', 'U0FIN1')).stdout).toContain('1 of 2 approvals');
    expect((await review('approve', a.id, '--as', 'U0FIN2')).stdout).toContain('The action is approved');

    await until('airlock_reviews_total', { tenant: 'acme', group: 'finance', outcome: 'approved' }, 1);
    const text = await scrape();
    expect(sampleValue(text, 'airlock_reviews_total', { tenant: 'acme', group: 'finance', outcome: 'counted' })).toBe(1);
    expect(sampleValue(text, 'airlock_reviews_total', { tenant: 'acme', group: 'finance', outcome: 'refused' })).toBe(2);
    expect(sampleValue(text, 'airlock_time_to_decision_seconds_count', { tenant: 'acme', group: 'finance' })).toBe(1);
    // Counted once: nothing is left for another process to count again.
    expect((await t.core.pool.query('SELECT count(*)::int AS n FROM metric_handoffs')).rows[0].n).toBe(0);
  });

  it('counts open approvals by tenant and group from Postgres: a second instance and a restarted one agree', async () => {
    const first = await t.submit('page_oncall');
    await t.submit('page_oncall');
    await until('airlock_open_approvals', { tenant: 'acme', group: 'oncall' }, 2);

    // Another process of the same database, started after the approvals were queued: it counts none of them itself.
    const other = await startSlackAirlock({ db: t.db, slack: t.slack, auth: t.auth, processors: false });
    try {
      expect(sampleValue(await scrape(other.app), 'airlock_open_approvals', { tenant: 'acme', group: 'oncall' })).toBe(2);
      await cardPosted(first.id);
      // Decided through the first instance; the second sees one fewer.
      expect((await postInteraction(t.app, approveClick({ user: 'U0ONCALL1', actionId: first.id }))).statusCode).toBe(200);
      await until('airlock_open_approvals', { tenant: 'acme', group: 'oncall' }, 1, other.app);
    } finally {
      await other.close();
    }
    const restarted = await startSlackAirlock({ db: t.db, slack: t.slack, auth: t.auth, processors: false });
    try {
      expect(sampleValue(await scrape(restarted.app), 'airlock_open_approvals', { tenant: 'acme', group: 'oncall' })).toBe(1);
    } finally {
      await restarted.close();
    }
  });

  it('serves no audit sink lag without an audit sink, only the series declared', async () => {
    const text = await scrape();
    expect(declaredSeries(text).has('airlock_audit_sink_lag_events')).toBe(true);
    expect(parseSamples(text).filter((s) => s.name === 'airlock_audit_sink_lag_events')).toEqual([]);
  });

  it('labels nothing with a value the policy does not declare', async () => {
    const declared = new Set(['acme', 'globex', 'other']);
    const groups = new Set(['leads', 'finance', 'oncall', 'security', 'tiny', 'other']);
    for (const s of parseSamples(await scrape())) {
      if (s.labels.tenant !== undefined) expect(declared, `${s.name} tenant`).toContain(s.labels.tenant);
      if (s.labels.group !== undefined) expect(groups, `${s.name} group`).toContain(s.labels.group);
    }
  });

  it('names in the Grafana dashboard only series that /metrics serves', async () => {
    const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(7);
    const named = new Set(exprs.flatMap((e) => [...e.matchAll(/\bairlock_[a-z0-9_]+/g)].map((m) => m[0])));
    const served = declaredSeries(await scrape());
    expect([...named].filter((n) => !served.has(n))).toEqual([]);
    for (const series of ['airlock_decisions_total', 'airlock_open_approvals', 'airlock_time_to_decision_seconds_bucket', 'airlock_reviews_total', 'airlock_callbacks_total', 'airlock_card_posts_total', 'airlock_policy_file_refused']) {
      expect(named, series).toContain(series);
    }
  });

  it('documents every series it serves in docs/operations.md', async () => {
    const doc = readFileSync('docs/operations.md', 'utf8');
    const ours = [...declaredSeries(await scrape())].filter((n) => n.startsWith('airlock_') && !/^airlock_(process|nodejs)_/.test(n) && !/_(bucket|sum|count)$/.test(n));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
