import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_CONCURRENCY } from '../../src/infra/queue/approval-queues.js';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { waitFor } from '../support/wait-for.js';

/** A receiver that accepts every callback and never answers: each delivery holds a connection until Airlock gives up on it. */
function neverAnswering() {
  const state = { open: 0, mostOpen: 0, ended: 0 };
  const server = createServer((req) => {
    state.open += 1;
    state.mostOpen = Math.max(state.mostOpen, state.open);
    req.resume();
    req.socket.once('close', () => {
      state.open -= 1;
      state.ended += 1;
    });
  });
  return { server, state };
}

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const received: string[] = [];
const fast = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push(body);
    res.writeHead(204).end();
  });
});
let fastUrl: string;

beforeAll(async () => {
  fastUrl = await listen(fast);
});
afterAll(() => new Promise((r) => fast.close(r)));

const submit = async (t: TestAirlock, auth: string, tool: string, callbackUrl: string) => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/actions', headers: { authorization: auth }, payload: { tool, requester: { id: 'U0SAM' }, callback_url: callbackUrl } });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: string };
};

describe.each(['redis', 'postgres'] as const)('callbacks under a receiver that never answers, on the %s backend', (backend) => {
  let t: TestAirlock;
  const hang = neverAnswering();
  let hangUrl: string;
  beforeAll(async () => {
    hangUrl = await listen(hang.server);
    t = await startAirlock({
      queue: backend,
      policyFile: 'test/fixtures/callbacks-policy.yml',
      // Both receivers are on this machine: allowed by address, as a deployment would allow an internal receiver.
      env: { AIRLOCK_CALLBACK_ALLOW: '127.0.0.1' },
      // Far longer than the test: a flood delivery that ends before the other tenant's callback arrives was not stuck, it was waited for.
      callbackTimeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    // Silence ends first, so the stuck deliveries fail at once and the workers can close.
    const closed = new Promise((r) => hang.server.close(r));
    hang.server.closeAllConnections();
    await closed;
    await t.close();
  });

  it("delivers another tenant's callback while one agent's flood of callbacks is stuck, and the flood holds only its share of the delivery slots", { timeout: 60_000 }, async () => {
    const acme = await t.agentAuth('acme', 'bot');
    const globex = await t.agentAuth('globex', 'bot');
    // 48 approvals that time out (deny) a second in: 48 callbacks to the silent receiver at once.
    await Promise.all(Array.from({ length: 48 }, (_, i) => submit(t, acme, 'deny_in_1s', `${hangUrl}/hook/${i}`)));
    await waitFor(() => hang.state.open > 0, { timeoutMs: 15_000, what: 'the flood delivering' });

    // Decided a second later, so its callback is queued behind the whole flood.
    const other = await submit(t, globex, 'deny_in_1s', `${fastUrl}/hook`);
    await waitFor(() => received.some((b) => b.includes(other.id)), { timeoutMs: 30_000, what: "the other tenant's callback" });

    // Delivered while every flood delivery so far is still waiting on the silent receiver: none had to end first.
    expect(hang.state.ended).toBe(0);
    expect(hang.state.open).toBeGreaterThan(0);
    // One agent never holds more than a quarter of the callback worker's slots.
    expect(hang.state.mostOpen).toBeLessThanOrEqual(CALLBACK_CONCURRENCY[backend] / 4);
  });
});
