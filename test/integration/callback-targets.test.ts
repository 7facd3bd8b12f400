import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type TestAirlock } from '../support/airlock.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Callback targets: internal addresses are refused at intake (literal
 * addresses and local names) and again at delivery (the resolved address),
 * unless AIRLOCK_CALLBACK_ALLOW names them.
 */
let t: TestAirlock;
let auth: string;
const logs: string[] = [];
const received: { url: string; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ url: req.url ?? '', body });
    res.writeHead(204).end();
  });
});
let port: number;

/** Stands in for DNS: these names resolve to this machine's receiver; everything else is unknown. */
const DNS: Record<string, { address: string; family: number }[]> = {
  'rebind.agent.example': [{ address: '127.0.0.1', family: 4 }],
  'mixed.agent.example': [
    { address: '93.184.215.14', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'mapped.agent.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'hooks.corp.internal': [{ address: '127.0.0.1', family: 4 }],
};

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;
  t = await startAirlock({
    policyFile: 'test/fixtures/callbacks-policy.yml',
    env: { AIRLOCK_CALLBACK_ALLOW: 'hooks.corp.internal, 10.20.0.0/16,192.168.7.7', LOG_LEVEL: 'debug' },
    logStream: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
    resolveCallbackHost: async (host) => {
      const found = DNS[host];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found;
    },
  });
  auth = await t.agentAuth('acme', 'bot');
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => receiver.close(r));
});

const submit = (callback_url: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/actions',
    headers: { authorization: auth },
    // Denied by its timeout a second later: the callback follows with no reviewer involved.
    payload: { tool: 'deny_in_1s', requester: { id: 'U0SAM' }, callback_url },
  });
const actionCount = async () => Number((await t.core.pool.query('SELECT count(*) AS n FROM actions')).rows[0].n);
const kinds = async (id: string) => (await t.core.pool.query('SELECT kind FROM audit_events WHERE action_id = $1 ORDER BY id', [id])).rows.map((r) => r.kind as string);
const audited = async (id: string) => JSON.stringify((await t.core.pool.query('SELECT data FROM audit_events WHERE action_id = $1', [id])).rows);

describe('callback_url at intake', () => {
  const internal = [
    'http://127.0.0.1:8080/hook',
    'http://127.1/hook',
    'http://localhost/hook',
    'http://LOCALHOST./hook',
    'http://hooks.localhost/hook',
    'http://0x7f000001/hook',
    'http://2130706433/hook',
    'http://0177.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a00:1]/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/hook',
    'http://10.0.0.1/hook',
    'http://172.16.0.1/hook',
    'http://172.31.255.254/hook',
    'http://192.168.1.1/hook',
    'http://192.168.7.8/hook',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[::]/hook',
    'http://[fc00::1]/hook',
    'http://[fd12:3456::1]/hook',
  ];

  it.each(internal)('refuses a callback to the internal address %s with a 400, and records nothing', async (url) => {
    const before = await actionCount();
    const res = await submit(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ path: 'body.callback_url', message: expect.stringMatching(/AIRLOCK_CALLBACK_ALLOW/) }] });
    expect(await actionCount()).toBe(before);
  });

  it('refuses a callback_url with credentials, and never writes them to the log', async () => {
    const before = await actionCount();
    const res = await submit('https://hook-user:Sup3rS3cretPw@agent.example/hook');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ path: 'body.callback_url', message: expect.stringMatching(/credentials/) }] });
    expect(res.body).not.toContain('Sup3rS3cretPw');
    expect(await actionCount()).toBe(before);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('')).not.toContain('Sup3rS3cretPw');
  });

  it('accepts a public receiver, and internal ones AIRLOCK_CALLBACK_ALLOW names by host, address or range', async () => {
    for (const url of ['https://agent.example/hooks/airlock', 'http://93.184.215.14/hook', 'http://hooks.corp.internal:8443/hook', 'http://10.20.3.4/hook', 'http://192.168.7.7/hook']) {
      const res = await submit(url);
      expect(res.statusCode, url).toBe(201);
    }
  });
});

describe('callback_url at delivery', () => {
  it.each(['rebind.agent.example', 'mixed.agent.example', 'mapped.agent.example'])(
    'refuses to call back %s, a public-looking name that resolves to a loopback address, and audits the refusal without retrying',
    async (host) => {
      const res = await submit(`http://${host}:${port}/hook`);
      expect(res.statusCode).toBe(201);
      const id = res.json().id as string;
      await waitFor(async () => (await kinds(id)).includes('callback_failed'), { timeoutMs: 15_000, what: 'the refused callback audited' });
      expect(await audited(id)).toMatch(/internal address/);
      expect(received.some((r) => r.body.includes(id))).toBe(false);
    },
  );

  it('calls back a receiver on an internal address when AIRLOCK_CALLBACK_ALLOW names its host, at the address the name resolved to', async () => {
    const res = await submit(`http://hooks.corp.internal:${port}/hook`);
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    await waitFor(() => received.find((r) => r.body.includes(id)), { timeoutMs: 15_000, what: 'the callback' });
    await waitFor(async () => (await kinds(id)).includes('callback_delivered'), { what: 'the delivery audited' });
  });
});
