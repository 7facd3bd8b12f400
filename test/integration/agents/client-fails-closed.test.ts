import { afterEach, describe, expect, it } from 'vitest';
import { Airlock, AirlockClientError } from '@airlock/client';
import { startAgentsAirlock } from '../../support/agents-airlock.js';
import { createTestDatabase } from '../../support/database.js';
import { freePort } from '../../support/free-port.js';
import { json, startStubServer, stubAction, type StubServer } from '../../support/stub-server.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * Whatever goes wrong between the agent and Airlock, the client never says
 * `execute: true`: it throws an error that says what happened. A stub server
 * stands where Airlock should be and misbehaves on purpose.
 */
let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const requester = { id: 'U0SAM' };
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const client = (url: string, extra: Partial<ConstructorParameters<typeof Airlock>[0]> = {}) => new Airlock({ url, agentKey: 'k', retry: fast, requestTimeoutMs: 300, ...extra });
const gateError = async (a: Airlock, opts: Parameters<Airlock['gate']>[1] = {}) => {
  const result = await a.gate({ tool: 'lookup', requester }, opts).then(
    (o) => o,
    (e: unknown) => e,
  );
  expect(result).toBeInstanceOf(AirlockClientError);
  return result as AirlockClientError;
};

describe('the client fails closed', () => {
  it('when nothing listens: unreachable, after the retries', async () => {
    const err = await gateError(client(`http://127.0.0.1:${await freePort()}`));
    expect(err).toMatchObject({ kind: 'unreachable', attempts: 3 });
    expect(err.message).toMatch(/unreachable .*ECONNREFUSED.*gave up after 3 attempts/);
  });

  it('when Airlock answers 503: retried with the same Idempotency-Key, then an error naming the status', async () => {
    stub = await startStubServer((_req, res) => json(res, 503, { error: { code: 'unavailable', message: 'Airlock cannot reach its database', details: [] } }));
    const err = await gateError(client(stub.url));
    expect(err).toMatchObject({ kind: 'http', status: 503, code: 'unavailable', attempts: 3 });
    const keys = new Set(stub.requests.map((r) => r.headers['idempotency-key']));
    expect(stub.requests).toHaveLength(3);
    expect(keys.size).toBe(1);
  });

  it('honours Retry-After on a 503 and takes the answer that follows', async () => {
    let n = 0;
    stub = await startStubServer((_req, res) => (++n === 1 ? json(res, 503, { error: { code: 'unavailable' } }, { 'retry-after': '0' }) : json(res, 201, stubAction())));
    expect(await client(stub.url).gate({ tool: 'lookup', requester })).toMatchObject({ execute: true });
    expect(n).toBe(2);
  });

  it('when the server hangs without answering: timeout', async () => {
    stub = await startStubServer(() => {});
    const err = await gateError(client(stub.url));
    expect(err).toMatchObject({ kind: 'timeout', attempts: 3 });
    expect(err.message).toContain('within 300 ms');
  });

  it('when the server sends headers and then hangs in the body: timeout', async () => {
    stub = await startStubServer((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"id":"act_1","status":"decided","decision":"al');
    });
    expect(await gateError(client(stub.url))).toMatchObject({ kind: 'timeout' });
  });

  it('when a long poll hangs past its wait: timeout, with the action id', async () => {
    stub = await startStubServer((req, res) => {
      if (req.method === 'POST') json(res, 201, stubAction({ status: 'pending', decision: 'queue_for_approval', mode: 'approval_required' }));
    });
    // Each poll may take its wait (1 s here) plus the request timeout; then it is a timeout like any other.
    const err = await gateError(client(stub.url), { pollSeconds: 1 });
    expect(err).toMatchObject({ kind: 'timeout', actionId: 'act_stub', attempts: 3 });
    expect(err.message).toContain('within 1300 ms');
    expect(stub.requests.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual(Array(3).fill('/v1/actions/act_stub?wait=1'));
  });

  it('when the answer is not JSON (a proxy page): malformed, not retried', async () => {
    stub = await startStubServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome to nginx</html>'));
    const err = await gateError(client(stub.url));
    expect(err).toMatchObject({ kind: 'malformed', attempts: 1 });
    expect(err.message).toContain('Welcome to nginx');
  });

  it('when the JSON is not an action: malformed', async () => {
    stub = await startStubServer((_req, res) => json(res, 201, { ok: true, execute: true }));
    expect(await gateError(client(stub.url))).toMatchObject({ kind: 'malformed' });
  });

  it.each([
    ['an unknown decision', { decision: 'allow_everything' }],
    ['an unknown status', { status: 'probably_fine' }],
    ['an unknown mode', { mode: 'yolo' }],
    ['an approval status with an allow decision', { status: 'approved', decision: 'allow' }],
    ['an allow decision in a restricted mode', { decision: 'allow', mode: 'draft_write' }],
  ])('when the answer carries %s: unknown_decision', async (_what, fields) => {
    stub = await startStubServer((_req, res) => json(res, 201, stubAction(fields)));
    expect(await gateError(client(stub.url))).toMatchObject({ kind: 'unknown_decision' });
  });

  it('when a 4xx comes back: no retry, the code and message are in the error', async () => {
    stub = await startStubServer((_req, res) => json(res, 413, { error: { code: 'payload_too_large', message: 'request body exceeds the 1 MB limit', details: [] } }));
    const err = await gateError(client(stub.url));
    expect(err).toMatchObject({ kind: 'http', status: 413, code: 'payload_too_large', attempts: 1 });
  });

  it('when the caller aborts while waiting for a reviewer: aborted', async () => {
    stub = await startStubServer((req, res) => {
      if (req.method === 'POST') json(res, 201, stubAction({ status: 'pending', decision: 'queue_for_approval', mode: 'approval_required' }));
    });
    const ac = new AbortController();
    const gating = client(stub.url, { requestTimeoutMs: 10_000 }).gate({ tool: 'lookup', requester }, { signal: ac.signal });
    while (!stub.requests.some((r) => r.method === 'GET')) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(gating).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('never runs a wrapped tool when Airlock allows another tool: malformed, the tool untouched', async () => {
    stub = await startStubServer((_req, res) => json(res, 201, stubAction({ tool: 'send_money' })));
    let ran = 0;
    const lookup = client(stub.url).wrapTool(async () => ++ran, { tool: 'lookup', requester });
    const err = await lookup({ q: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AirlockClientError);
    expect(err).toMatchObject({ kind: 'malformed', message: expect.stringContaining('send_money') });
    expect(ran).toBe(0);
    // Nothing ran, so nothing is reported.
    expect(stub.requests.filter((r) => r.url.endsWith('/result'))).toHaveLength(0);
  });

  it('never says execute when the approval read back is for another tool', async () => {
    stub = await startStubServer((req, res) => {
      if (req.method === 'POST') json(res, 201, stubAction({ status: 'pending', decision: 'queue_for_approval', mode: 'approval_required' }));
      else json(res, 200, stubAction({ status: 'approved', decision: 'queue_for_approval', tool: 'send_money' }));
    });
    expect(await gateError(client(stub.url))).toMatchObject({ kind: 'malformed', actionId: 'act_stub' });
  });

  it('refuses a result answer that is about another action', async () => {
    stub = await startStubServer((_req, res) => json(res, 200, stubAction({ id: 'act_other', status: 'succeeded' })));
    const err = await client(stub.url)
      .reportResult('act_stub', { outcome: 'succeeded', args: {} })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ kind: 'malformed', message: expect.stringContaining('act_other') });
  });

  it('follows no redirect (a login page is not a decision)', async () => {
    stub = await startStubServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/login' }).end());
    const err = await gateError(client(stub.url));
    expect(err).toMatchObject({ kind: 'http', status: 302, attempts: 1 });
    expect(err.message).toContain('redirect (302 to http://127.0.0.1:9/login)');
    expect(stub.requests).toHaveLength(1);
  });
});

describe('the client fails closed against a real Airlock', () => {
  it('whose database is unreachable: the 503 is an error naming it, never execute; once Postgres is back the same call runs', async () => {
    const db = await createTestDatabase();
    const proxy = await startTcpProxy(Number(new URL(db.url).port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const t = await startAgentsAirlock({ db: { ...db, url: viaProxy.toString() } });
    try {
      const airlock = new Airlock({ url: t.url, agentKey: t.key, retry: fast, requestTimeoutMs: 5_000 });
      proxy.cut();
      const err = await gateError(airlock);
      expect(err).toMatchObject({ kind: 'http', status: 503, code: 'unavailable', attempts: 3 });
      proxy.restore();
      const outcome = await waitFor(() => airlock.gate({ tool: 'lookup', args: { order_id: 'o-9' }, requester }).catch(() => undefined), { what: 'a decision once Postgres is back', timeoutMs: 20_000, intervalMs: 200 });
      expect(outcome).toMatchObject({ execute: true, mode: 'allow' });
    } finally {
      proxy.restore();
      await t.close();
      await proxy.close();
      await db.drop();
    }
  });
});
