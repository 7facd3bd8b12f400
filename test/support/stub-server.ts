import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubServer {
  url: string;
  /** Requests received, in order. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/**
 * A local HTTP server that misbehaves on purpose (503s, silence, half
 * answers, HTML), standing where Airlock should be, for fail-closed tests.
 */
export async function startStubServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<StubServer> {
  const requests: StubServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A JSON answer. */
export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** An action as Airlock serialises it, for stubs that answer like Airlock. */
export function stubAction(overrides: Record<string, unknown> = {}) {
  return {
    id: 'act_stub',
    status: 'decided',
    decision: 'allow',
    mode: 'allow',
    reasons: ['policy mode of lookup is allow'],
    rule: 'tools.lookup.mode',
    policy_version: 'abc.0',
    expires_at: null,
    tool: 'lookup',
    agent: 'bot',
    created_at: new Date().toISOString(),
    decided_at: new Date().toISOString(),
    args_version: 1,
    args_sha256: 'f'.repeat(64),
    ...overrides,
  };
}
