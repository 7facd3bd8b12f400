import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { OtlpReceiver, type ReceivedSpan } from '../fakes/otlp-receiver.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startSlackProcess, type SlackProcess } from '../support/slack-process.js';
import { approveClick, slackHeaders } from '../support/slack-requests.js';
import { startStubServer, type StubServer } from '../support/stub-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * OpenTelemetry traces, seen from outside: a real server process exporting
 * over OTLP/HTTP to a local receiver. An agent's traceparent continues into
 * intake; the card post, the review and the callback delivery, which happen
 * later (in the worker), join the same trace under the intake span, and the
 * callback carries the trace on to the agent. No argument value is ever an
 * attribute; without an OTLP endpoint nothing is traced at all.
 */

/** Recognisable in any attribute, event or status message a span could carry. */
const MARKER = `mrk${randomBytes(6).toString('hex')}`;
const REDACTED_MARKER = `sealed${randomBytes(6).toString('hex')}`;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const cleanups: (() => Promise<unknown>)[] = [];
let slack: FakeSlackApi;
let callbacks: StubServer;

beforeAll(async () => {
  slack = await FakeSlackApi.start();
  callbacks = await startStubServer((_req, res) => res.writeHead(204).end());
  cleanups.push(() => callbacks.close(), () => slack.close());
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A server process on a fresh database, and the key of its agent `bot`. */
async function start(env: Record<string, string>): Promise<{ server: SlackProcess; key: string; db: TestDatabase }> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const server = await startSlackProcess({
    databaseUrl: db.url,
    apiUrl: slack.url,
    token: 'xoxb-test-token',
    policyFile: 'test/fixtures/approval-policy.yml',
    // The callback receiver listens on this machine: allowed as a deployment allows an internal receiver.
    env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1', AIRLOCK_CHAT_PACING: 'off', ...env },
  });
  cleanups.push(() => server.close());
  return { server, key: await server.agentKey(), db };
}

/** Submits an email (or another tool) whose arguments carry the markers (one plain, one in the redacted `body` of an email). */
async function submit(server: SlackProcess, key: string, headers: Record<string, string>, callbackPath: string, tool = 'send_email') {
  const res = await fetch(`${server.base}/v1/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      tool,
      args: { to: `${MARKER}@example.com`, subject: `About ${MARKER}`, body: REDACTED_MARKER },
      requester: { id: 'U0SAM', email: 'sam@acme.test' },
      summary: 'Tell the customer',
      callback_url: `${callbacks.url}${callbackPath}`,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string };
}

/** Waits for the action's card in the fake Slack, then approves it with a signed click, as Slack would send it. */
async function approveByClick(server: SlackProcess, actionId: string) {
  await slack.waitForCall('chat.postMessage', (c) => c.status === 200 && JSON.stringify(c.body.metadata ?? '').includes(actionId), 20_000);
  const body = new URLSearchParams({ payload: JSON.stringify(approveClick({ user: 'U0LEAD1', actionId, version: 1 })) }).toString();
  const res = await fetch(`${server.base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
  expect(res.status).toBe(200);
}

/** The trace context stored with the action, for the work that follows it (nulls when none). */
async function storedContext(db: TestDatabase, actionId: string): Promise<{ traceparent: string | null; tracestate: string | null }> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query('SELECT traceparent, tracestate FROM action_payloads WHERE action_id = $1', [actionId])).rows[0];
  } finally {
    await c.end();
  }
}
const storedTraceparent = async (db: TestDatabase, actionId: string) => (await storedContext(db, actionId)).traceparent;

const callbackOf = (path: string) => waitFor(() => callbacks.requests.find((r) => r.url === path), { timeoutMs: 20_000, what: `the callback to ${path}` });

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let receiver: OtlpReceiver;
  let server: SlackProcess;
  let key: string;
  let db: TestDatabase;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    ({ server, key, db } = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'airlock-traces-test' }));
  }, 60_000);

  it('continues the agent trace through intake, card post, review and callback, and hands it on to the callback', { timeout: 60_000 }, async () => {
    const agentTrace = hex(16);
    const agentSpan = hex(8);
    // A list with optional white space: carried on as the list it is.
    const action = await submit(server, key, { traceparent: `00-${agentTrace}-${agentSpan}-01`, tracestate: `rojo=${agentSpan}, congo=t61rcWkgMzE` }, '/traced');
    expect(action.status).toBe('pending');
    await approveByClick(server, action.id);
    const callback = await callbackOf('/traced');

    const names = ['airlock.intake', 'airlock.card.post', 'airlock.review', 'airlock.callback'];
    const spans = await waitFor(
      () => {
        const mine = receiver.spans().filter((s) => s.traceId === agentTrace);
        return names.every((n) => mine.some((s) => s.name === n)) && mine;
      },
      { timeoutMs: 20_000, what: `spans ${names.join(', ')} in the agent's trace`, giveUp: server.giveUp },
    );
    const one = (name: string): ReceivedSpan => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const intake = one('airlock.intake');
    expect(intake.parentSpanId).toBe(agentSpan);
    expect(intake.kind).toBe(2); // server: it answers the agent's request
    expect(intake.resource['service.name']).toBe('airlock-traces-test');
    expect(intake.attributes).toMatchObject({
      'airlock.action.id': action.id,
      'airlock.tenant': 'acme',
      'gen_ai.agent.name': 'bot',
      'gen_ai.tool.name': 'send_email',
      'airlock.decision': 'queue_for_approval',
      'airlock.rule': expect.any(String),
      'airlock.policy_version': expect.any(String),
    });

    const card = one('airlock.card.post');
    const review = one('airlock.review');
    const delivery = one('airlock.callback');
    for (const later of [card, review, delivery]) expect(later.parentSpanId, later.name).toBe(intake.spanId);
    expect(card.attributes).toMatchObject({ 'airlock.action.id': action.id, 'airlock.chat.platform': 'slack', 'airlock.card.outcome': 'posted' });
    expect(review.attributes).toMatchObject({ 'airlock.action.id': action.id, 'airlock.review.decision': 'approve', 'airlock.review.outcome': 'accepted', 'airlock.action.status': 'approved' });
    expect(delivery.kind).toBe(3); // client: Airlock calls the agent
    expect(delivery.attributes).toMatchObject({ 'airlock.action.id': action.id, 'http.request.method': 'POST', 'server.address': '127.0.0.1', 'http.response.status_code': 204 });

    // The agent receives the callback as a child of the delivery span, in its own trace.
    const header = TRACEPARENT.exec(String(callback.headers.traceparent));
    expect(header, `traceparent header: ${callback.headers.traceparent}`).not.toBeNull();
    expect(header![1]).toBe(agentTrace);
    expect(header![2]).toBe(delivery.spanId);
    expect(header![3]).toBe('01');
    // The agent's tracestate travels with it: stored with the action, in every span's context, and on to the callback.
    const tracestate = `rojo=${agentSpan},congo=t61rcWkgMzE`;
    expect(callback.headers.tracestate).toBe(tracestate);
    expect((await storedContext(db, action.id)).tracestate).toBe(tracestate);
    for (const span of [intake, card, review, delivery]) expect(span.traceState, span.name).toBe(tracestate);

    // No argument value, plain or redacted, anywhere in what was exported.
    const exported = JSON.stringify(receiver.spans());
    expect(exported).not.toContain(MARKER);
    expect(exported).not.toContain(REDACTED_MARKER);
  });

  it('traces what follows without a click (reminders, the escalation, the timeout, the card updates) under the intake span', { timeout: 60_000 }, async () => {
    const agentTrace = hex(16);
    // quick_escalate: reminded after 1 s, escalated to security at its 2 s deadline, then reminded and denied at the next one.
    const action = await submit(server, key, { traceparent: `00-${agentTrace}-${hex(8)}-01` }, '/timed-out', 'quick_escalate');
    await callbackOf('/timed-out');

    const ended = (s: ReceivedSpan) => s.name === 'airlock.timeout' && s.attributes['airlock.timeout.outcome'] === 'ended';
    const spans = await waitFor(
      () => {
        const mine = receiver.spans().filter((s) => s.traceId === agentTrace);
        const has = (name: string) => mine.some((s) => s.name === name);
        return has('airlock.intake') && has('airlock.reminder') && has('airlock.escalation') && has('airlock.card.update') && mine.some(ended) && mine;
      },
      { timeoutMs: 30_000, what: "reminder, escalation, timeout and card update spans in the agent's trace", giveUp: server.giveUp },
    );
    const intake = spans.find((s) => s.name === 'airlock.intake')!;
    const later = spans.filter((s) => ['airlock.reminder', 'airlock.escalation', 'airlock.timeout', 'airlock.card.update'].includes(s.name));
    for (const span of later) {
      expect(span.parentSpanId, span.name).toBe(intake.spanId);
      expect(span.attributes, span.name).toMatchObject({ 'airlock.action.id': action.id, 'airlock.tenant': 'acme', 'gen_ai.tool.name': 'quick_escalate' });
    }

    // The deadline handled by the expiry job and the reconciler's sweep alike: only one of them moves the action.
    const escalations = spans.filter((s) => s.name === 'airlock.escalation' && s.attributes['airlock.timeout.outcome'] === 'escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.kind).toBe(1); // internal
    expect(escalations[0]!.attributes).toMatchObject({ 'airlock.timeout.cause': 'deadline', 'airlock.approval.round': 0, 'airlock.escalation.to': 'security', 'airlock.action.status': 'pending' });
    const timeouts = spans.filter(ended);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]!.attributes).toMatchObject({ 'airlock.timeout.cause': 'deadline', 'airlock.approval.round': 1, 'airlock.action.status': 'expired', 'airlock.decision': 'deny' });

    const reminders = spans.filter((s) => s.name === 'airlock.reminder' && s.attributes['airlock.reminder.outcome'] === 'sent');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    expect(reminders[0]!.kind).toBe(3); // client: it posts in the card's thread
    expect(reminders[0]!.attributes).toMatchObject({ 'airlock.approval.round': 0, 'airlock.reminder.cards': 1, 'airlock.reminder.failed': 0 });

    const updates = spans.filter((s) => s.name === 'airlock.card.update');
    expect(updates.every((u) => u.kind === 3 && u.attributes['airlock.chat.platform'] === 'slack' && u.attributes['airlock.card.outcome'] === 'updated')).toBe(true);

    // No argument value, no reviewer group member, anywhere in what was exported.
    const exported = JSON.stringify(receiver.spans());
    expect(exported).not.toContain(MARKER);
    expect(exported).not.toContain('U0SEC1');
  });

  it('drops a tracestate it cannot carry whole (too long, or malformed), keeps the traceparent and decides as usual', { timeout: 60_000 }, async () => {
    const cases = { '/long-state': `a=${'x'.repeat(300)},b=${'y'.repeat(300)}`, '/bad-state': 'rojo=1,Not A Key=2' };
    for (const [path, tracestate] of Object.entries(cases)) {
      const agentTrace = hex(16);
      const action = await submit(server, key, { traceparent: `00-${agentTrace}-${hex(8)}-01`, tracestate }, path);
      expect(action.status).toBe('pending');
      await approveByClick(server, action.id);
      const callback = await callbackOf(path);
      expect(TRACEPARENT.exec(String(callback.headers.traceparent))?.[1], path).toBe(agentTrace);
      expect(callback.headers.tracestate, path).toBeUndefined();
      expect(await storedContext(db, action.id), path).toEqual({ traceparent: expect.stringContaining(agentTrace), tracestate: null });
      const intake = await waitFor(() => receiver.spans().find((s) => s.name === 'airlock.intake' && s.attributes['airlock.action.id'] === action.id), {
        what: 'the intake span',
        giveUp: server.giveUp,
      });
      expect(intake.traceId).toBe(agentTrace);
      expect(intake.traceState).toBeUndefined();
    }
  });

  it('starts a trace of its own when the agent sends none', { timeout: 30_000 }, async () => {
    const action = await submit(server, key, {}, '/untraced');
    const intake = await waitFor(() => receiver.spans().find((s) => s.name === 'airlock.intake' && s.attributes['airlock.action.id'] === action.id), {
      what: 'the intake span',
      giveUp: server.giveUp,
    });
    expect(intake.parentSpanId).toBeUndefined();
    const stored = await storedTraceparent(db, action.id);
    expect(stored).toMatch(new RegExp(`^00-${intake.traceId}-${intake.spanId}-01$`));
  });
});

describe('tracing flushed at shutdown', () => {
  it('exports the spans still buffered when the process stops', { timeout: 60_000 }, async () => {
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    // Far longer than the test: only the flush at shutdown can deliver the span.
    const { server, key } = await start({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '600000' });
    const action = await submit(server, key, {}, '/flushed');
    expect(receiver.counts().spans).toBe(0);
    expect(await server.stop()).toBe(0);
    expect(receiver.spans().some((s) => s.name === 'airlock.intake' && s.attributes['airlock.action.id'] === action.id)).toBe(true);
  });
});

describe('without an OTLP endpoint', () => {
  it('traces nothing: no span exported, no trace context stored or sent on', { timeout: 60_000 }, async () => {
    // Where an exporter without an endpoint would post by default, and another signal's endpoint: neither may hear a thing.
    const defaultPort = await OtlpReceiver.start({ port: 4318 });
    const metricsOnly = await OtlpReceiver.start();
    cleanups.push(() => defaultPort.close(), () => metricsOnly.close());
    const { server, key, db } = await start({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${metricsOnly.url}/v1/metrics`, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_TRACES_SAMPLER: 'always_on' });
    const action = await submit(server, key, { traceparent: `00-${hex(16)}-${hex(8)}-01`, tracestate: 'rojo=1' }, '/off');
    await approveByClick(server, action.id);
    const callback = await callbackOf('/off');
    expect(callback.headers.traceparent).toBeUndefined();
    expect(callback.headers.tracestate).toBeUndefined();
    expect(await storedContext(db, action.id)).toEqual({ traceparent: null, tracestate: null });
    // A clean stop flushes whatever a tracer held: after it, nothing can still arrive.
    expect(await server.stop()).toBe(0);
    expect(defaultPort.counts()).toEqual({ exports: 0, spans: 0, stray: [] });
    expect(metricsOnly.counts()).toEqual({ exports: 0, spans: 0, stray: [] });
  });
});
