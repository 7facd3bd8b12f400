import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_LIMITS } from '../../src/http/schemas.js';
import { startSlackAirlock, type SlackTestAirlock } from '../support/slack-airlock.js';
import { slackHeaders } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What one client can make the server hold or compute is bounded: bodies
 * are refused past their limit before they are buffered (on every route,
 * Slack's and Teams' included), slow clients are cut off by the header and
 * request timeouts, and a JSON value whose processing would stall the event
 * loop is refused before any of it runs.
 */

const MB = 1024 * 1024;
let t: SlackTestAirlock;
let port: number;

beforeAll(async () => {
  t = await startSlackAirlock({
    env: {
      AIRLOCK_HEADERS_TIMEOUT: '1s',
      AIRLOCK_REQUEST_TIMEOUT: '1s',
      // Teams configured, so /api/messages is served; nothing here gets as far as its token check.
      TEAMS_APP_ID: '00000000-0000-4000-8000-00000000a11c',
      TEAMS_APP_PASSWORD: 'test-app-password',
      TEAMS_OPENID_METADATA_URL: 'https://127.0.0.1:1/openid',
    },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(() => t.close());

/** A raw connection: what the server answered, whether it closed, and how many bytes we got to send. */
function connect() {
  const socket = net.connect(port, '127.0.0.1');
  const state = { received: '', closed: false, written: 0 };
  socket.on('data', (d) => (state.received += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  const write = (data: string | Buffer) =>
    new Promise<boolean>((resolve) => {
      if (state.closed || socket.destroyed) return resolve(false);
      socket.write(data, (err) => {
        if (!err) state.written += data.length;
        resolve(!err);
      });
    });
  return { socket, state, write };
}

const ticker = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bodies past their limit', () => {
  it('answers a /slack/events body announced over 1 MB with 413 before a byte of it is sent, and closes the connection', async () => {
    const c = connect();
    const headers = { ...slackHeaders('x'), 'content-length': String(Math.round(3.5 * MB)) };
    await c.write(`POST /slack/events HTTP/1.1\r\nHost: airlock\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    await waitFor(() => c.state.closed, { what: 'the connection to close', timeoutMs: 5_000 });
    expect(c.state.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(c.state.received.toLowerCase()).toContain('connection: close');
  });

  it('cuts off a /slack/events body streamed without a length once it passes 1 MB, instead of reading on', async () => {
    const c = connect();
    await c.write(`POST /slack/events HTTP/1.1\r\nHost: airlock\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    // Keep sending until the server hangs up, or 32 MB (8 times what Bolt would have buffered).
    while (c.state.written < 32 * MB && (await c.write(frame)));
    await waitFor(() => c.state.closed, { what: 'the connection to close', timeoutMs: 5_000 });
    // The server answers 413 and closes while the rest of the upload is still in its socket buffer, so its kernel
    // resets the connection, and a reset may reach the client before the 413 is read (the reset discards it).
    // Whatever arrived is the 413; what matters is that the server stopped reading.
    if (c.state.received !== '') expect(c.state.received).toMatch(/^HTTP\/1\.1 413 /);
    // What we got to send is the limit plus what the kernel's socket buffers took before the reset.
    expect(c.state.written).toBeLessThan(16 * MB);
  });

  it('answers an intake body announced over 1 MB with 413 at once and closes the connection', async () => {
    const c = connect();
    await c.write(`POST /v1/actions HTTP/1.1\r\nHost: airlock\r\nAuthorization: ${t.auth}\r\nContent-Type: application/json\r\nContent-Length: ${3 * MB}\r\n\r\n`);
    await waitFor(() => c.state.closed, { what: 'the connection to close', timeoutMs: 5_000 });
    expect(c.state.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(c.state.received).toContain('payload_too_large');
  });

  it('answers a Teams /api/messages body over 512 KB with 413 before reading it or checking its token', async () => {
    const c = connect();
    await c.write(`POST /api/messages HTTP/1.1\r\nHost: airlock\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\nContent-Length: ${MB}\r\n\r\n`);
    await waitFor(() => c.state.closed, { what: 'the connection to close', timeoutMs: 5_000 });
    expect(c.state.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(c.state.received).toContain('512 KB');
  });
});

describe('slow clients', () => {
  it('cuts off a body trickled a byte at a time once the request timeout passes (408)', async () => {
    const c = connect();
    await c.write(`POST /v1/actions HTTP/1.1\r\nHost: airlock\r\nAuthorization: ${t.auth}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`);
    const started = Date.now();
    const trickle = (async () => {
      while (!c.state.closed && Date.now() - started < 20_000 && (await c.write('{'))) await ticker(200);
    })();
    await waitFor(() => c.state.closed, { what: 'the trickling request to be cut off', timeoutMs: 6_000 });
    await trickle;
    expect(c.state.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off headers trickled a byte at a time once the headers timeout passes', async () => {
    const c = connect();
    await c.write('GET /healthz HTTP/1.1\r\nHost: airlock\r\nX-Slow: ');
    const started = Date.now();
    const trickle = (async () => {
      while (!c.state.closed && Date.now() - started < 20_000 && (await c.write('a'))) await ticker(200);
    })();
    await waitFor(() => c.state.closed, { what: 'the trickling headers to be cut off', timeoutMs: 6_000 });
    await trickle;
  });

  it('still holds a ?wait long-poll past the request timeout: a request fully received is not cut', async () => {
    const a = await t.submit('send_email', { args: { to: 'x@example.com', subject: 's' } });
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/actions/${a.id}?wait=3`, { headers: { authorization: t.auth } });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });
});

describe('work one request may cause', () => {
  const post = (url: string, body: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  const actions = async () => Number((await t.core.pool.query('SELECT count(*) FROM actions')).rows[0].count);

  it('refuses 60,000 keys in args (880 KB) with 400 naming the limit, and records nothing', async () => {
    const before = await actions();
    const body = { tool: 'read', args: manyKeys(60_000), requester: { id: 'U1' } };
    expect(JSON.stringify(body).length).toBeGreaterThan(800_000);
    const res = await post('/v1/actions', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: 'body.args', message: `has more than ${JSON_LIMITS.entries} keys and array elements in all` }]);
    expect(await actions()).toBe(before);
  });

  it.each([
    ['context with too many entries in all', { context: { a: manyKeys(3_000), b: manyKeys(3_000) } }, 'body.context', 'keys and array elements'],
    ['an array over the element limit', { args: { ids: Array.from({ length: JSON_LIMITS.arrayLength + 1 }, (_, i) => i) } }, 'body.args', 'array longer than'],
    ['a string over the length limit', { args: { note: 'x'.repeat(JSON_LIMITS.stringLength + 1) } }, 'body.args', 'string longer than'],
    ['a key over the length limit', { args: { ['k'.repeat(JSON_LIMITS.keyLength + 1)]: 1 } }, 'body.args', 'key longer than'],
    ['nesting deeper than the limit', { args: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) }, 'body.args', 'nested deeper'],
  ])('refuses %s with 400', async (_name, fields, path, message) => {
    const res = await post('/v1/actions', { tool: 'read', requester: { id: 'U1' }, ...fields });
    expect(res.statusCode).toBe(400);
    const detail = res.json().error.details.find((d: { path: string }) => d.path === path);
    expect(detail?.message).toContain(message);
  });

  it('accepts a value at every limit', async () => {
    const args = { ids: Array.from({ length: JSON_LIMITS.arrayLength }, (_, i) => i), note: 'x'.repeat(JSON_LIMITS.stringLength), ['k'.repeat(JSON_LIMITS.keyLength)]: 1 };
    const res = await post('/v1/actions', { tool: 'read', requester: { id: 'U1' }, args });
    expect(res.statusCode).toBe(201);
  });

  it('answers 60,000 unknown fields with a short error, not a list of every one', async () => {
    const res = await post('/v1/actions', { tool: 'read', requester: { id: 'U1', ...manyKeys(60_000) } });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(1_000);
    expect(res.json().error.details[0]).toMatchObject({ path: 'body.requester', message: expect.stringContaining('and 59995 more') });
    const top = await post('/v1/actions', { tool: 'read', requester: { id: 'U1' }, ...manyKeys(60_000) });
    expect(top.statusCode).toBe(400);
    expect(top.body.length).toBeLessThan(1_000);
  });

  it('bounds the arguments of a reported result the same way', async () => {
    const a = await t.submit('read', { args: {} });
    const res = await post(`/v1/actions/${a.id}/result`, { outcome: 'succeeded', args: manyKeys(60_000) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('body.args');
  });
});
