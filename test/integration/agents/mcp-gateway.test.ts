import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentsAirlock, type AgentsTestAirlock } from '../../support/agents-airlock.js';
import { freePort } from '../../support/free-port.js';
import { json, startStubServer, stubAction } from '../../support/stub-server.js';
import { connectStdioGateway, ENDLESS_CURSOR_SERVER, gatewayEnv, notesLog, NOTES_SERVER } from '../../support/mcp-gateway.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * `airlock mcp-gateway` end to end: the SDK's MCP client talks to the gateway
 * (a real child process, stdio or streamable HTTP), which talks to a real
 * Airlock and to a small real MCP server (test/fakes/notes-mcp-server.ts).
 */
let t: AgentsTestAirlock;
let log: ReturnType<typeof notesLog>;
let mcp: Client;

beforeAll(async () => {
  t = await startAgentsAirlock();
  log = notesLog();
  mcp = await connectStdioGateway({ url: t.url, agentKey: t.key, log: log.file, flags: ['--read-only', 'search_notes,read_note'] });
}, 60_000);
afterAll(async () => {
  await mcp?.close();
  await t.close();
  log.remove();
});

const textOf = (r: unknown) => ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const latest = async (tool: string) => (await t.core.pool.query('SELECT id, status, result FROM actions WHERE tool = $1 ORDER BY created_at DESC LIMIT 1', [tool])).rows[0];
const ranTools = () => log.ran().map((r) => r.tool);

describe('mcp-gateway (stdio)', () => {
  it('lists every tool of the upstream server', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(['drop_notes', 'format_disk', 'read_note', 'search_notes', 'write_note']);
    expect(tools.find((x) => x.name === 'write_note')?.inputSchema).toMatchObject({ required: ['id', 'text'] });
  });

  it('forwards an allowed call and reports the upstream outcome as the action’s result', async () => {
    const result = await mcp.callTool({ name: 'read_note', arguments: { id: 'welcome' } });
    expect(textOf(result)).toBe('hello from the notes server');
    expect(log.ran().at(-1)).toEqual({ tool: 'read_note', args: { id: 'welcome' } });
    expect(await latest('notes.read_note')).toMatchObject({ status: 'succeeded', result: { argsCheck: 'match' } });
  });

  it('an upstream error is reported as failed', async () => {
    const result = await mcp.callTool({ name: 'read_note', arguments: { id: 'missing' } });
    expect(result.isError).toBe(true);
    expect(await latest('notes.read_note')).toMatchObject({ status: 'failed' });
  });

  it('a denied tool is a tool error whose text gives the policy’s reason, and never reaches the upstream', async () => {
    const result = await mcp.callTool({ name: 'drop_notes', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Airlock did not allow drop_notes .*denied by policy: .*off/);
    expect(ranTools()).not.toContain('drop_notes');
  });

  it('a tool the policy does not register is denied at the hard boundary', async () => {
    const result = await mcp.callTool({ name: 'format_disk', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('tool notes.format_disk is not registered');
    expect(ranTools()).not.toContain('format_disk');
  });

  it('waits for a reviewer with progress notifications, then runs the approved arguments', async () => {
    const progress: Progress[] = [];
    const calling = mcp.callTool({ name: 'write_note', arguments: { id: 'n1', text: 'refund approved' } }, undefined, {
      onprogress: (p) => void progress.push(p),
      timeout: 60_000,
    });
    const first = await waitFor(() => progress[0], { what: 'a progress notification' });
    expect(first.message).toMatch(/Waiting for a reviewer to approve notes.write_note \(Airlock action [0-9a-f-]+\)/);
    const id = /Airlock action (\S+)\)/.exec(first.message ?? '')![1]!;
    await t.card(id);
    expect(ranTools()).not.toContain('write_note');
    await t.approveWithChanges(id, { text: 'refund approved, 20 EUR' });
    const result = await calling;
    expect(textOf(result)).toContain('wrote n1: refund approved, 20 EUR');
    expect(textOf(result)).toContain('reviewers changed text before approving');
    expect(log.ran().at(-1)).toEqual({ tool: 'write_note', args: { id: 'n1', text: 'refund approved, 20 EUR' } });
    await waitFor(async () => (await latest('notes.write_note')).status === 'succeeded', { what: 'the result reported' });
    expect((await latest('notes.write_note')).result).toMatchObject({ argsCheck: 'match' });
  });

  it('a reviewer’s denial comes back as a tool error with the reviewer’s reason', async () => {
    const progress: Progress[] = [];
    const calling = mcp.callTool({ name: 'write_note', arguments: { id: 'n2', text: 'x' } }, undefined, { onprogress: (p) => void progress.push(p) });
    const id = /Airlock action (\S+)\)/.exec((await waitFor(() => progress[0])).message ?? '')![1]!;
    await t.card(id);
    await t.deny(id, 'notes are read-only this week');
    const result = await calling;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('notes are read-only this week');
    expect(log.ran().some((r) => r.args.id === 'n2')).toBe(false);
  });

  it('runs a tool the operator declared read-only when Airlock answers search_only', async () => {
    const result = await mcp.callTool({ name: 'search_notes', arguments: { query: 'hello' } });
    expect(textOf(result)).toBe('welcome');
    expect(await latest('notes.search_notes')).toMatchObject({ status: 'succeeded' });
  });
});

describe('mcp-gateway, other setups', () => {
  it('hides the tools the policy does not register when the agent’s policy says so', async () => {
    const { key } = await t.createAgent('tidy-bot');
    const tidy = await connectStdioGateway({ url: t.url, agentKey: key, log: log.file });
    try {
      expect((await tidy.listTools()).tools.map((x) => x.name).sort()).toEqual(['read_note', 'write_note']);
      // Hidden is not a way around the boundary: a call by name is still denied.
      const result = await tidy.callTool({ name: 'drop_notes', arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('is not in the tool list of agent tidy-bot');
    } finally {
      await tidy.close();
    }
  });

  it('a call nobody decided in time is a tool error saying so, and never runs, whatever the timeout rule', async () => {
    const slow = await connectStdioGateway({ url: t.url, agentKey: t.key, log: log.file, serverName: 'slow', flags: ['--read-only', 'search_notes'] });
    try {
      const before = log.ran().length;
      // on_timeout: fallback to search_only, for a tool the operator declared read-only; and on_timeout: deny.
      const [fellBack, denied] = await Promise.all([
        slow.callTool({ name: 'search_notes', arguments: { query: 'hello' } }, undefined, { timeout: 30_000 }),
        slow.callTool({ name: 'read_note', arguments: { id: 'welcome' } }, undefined, { timeout: 30_000 }),
      ]);
      for (const result of [fellBack, denied]) {
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/Airlock did not allow \w+ \(Airlock action [0-9a-f-]+\): no reviewer decided in time.*Nothing was executed\./);
      }
      expect(log.ran()).toHaveLength(before);
      expect((await latest('slow.search_notes')).status).toBe('expired');
      expect((await latest('slow.read_note')).status).toBe('expired');
    } finally {
      await slow.close();
    }
  });

  it('fails closed when Airlock is unreachable: nothing runs, the error says why', async () => {
    const down = await connectStdioGateway({ url: `http://127.0.0.1:${await freePort()}`, agentKey: t.key, log: log.file });
    try {
      const before = log.ran().length;
      const result = await down.callTool({ name: 'read_note', arguments: { id: 'welcome' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/Airlock could not decide this call, so read_note was not executed.*unreachable/);
      expect(log.ran()).toHaveLength(before);
      await expect(down.listTools()).rejects.toThrow(/Airlock could not say which tools this agent may call/);
    } finally {
      await down.close();
    }
  });

  it('never forwards a call when Airlock’s answer allows another tool', async () => {
    // A confused proxy or cache in front of Airlock: every answer allows the tool `lookup`.
    const stub = await startStubServer((_req, res) => json(res, 201, stubAction({ tool: 'lookup' })));
    const confused = await connectStdioGateway({ url: stub.url, agentKey: t.key, log: log.file });
    try {
      const before = log.ran().length;
      const result = await confused.callTool({ name: 'write_note', arguments: { id: 'x', text: 'not allowed' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/Airlock could not decide this call, so write_note was not executed.*another tool \(lookup/);
      expect(log.ran()).toHaveLength(before);
    } finally {
      await confused.close();
      await stub.close();
    }
  });

  it('serves streamable HTTP, and records without executing what a restricted mode does not permit', async () => {
    const port = await freePort();
    const args = ['--import', 'tsx', 'src/main/cli.ts', 'mcp-gateway', '--url', t.url, '--server-name', 'notes', '--http', String(port), '--', ...NOTES_SERVER];
    const child: ChildProcess = spawn('node', args, { env: gatewayEnv(t.key, log.file), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'http-test', version: '1' });
    try {
      await waitFor(() => stderr.includes('serving MCP at'), { what: 'the HTTP gateway', timeoutMs: 20_000, giveUp: () => (child.exitCode !== null ? stderr : undefined) });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
      expect((await client.listTools()).tools.length).toBe(5);
      expect(textOf(await client.callTool({ name: 'read_note', arguments: { id: 'welcome' } }))).toBe('hello from the notes server');
      const before = log.ran().length;
      // search_only, and this gateway was not told search_notes only reads.
      const recorded = await client.callTool({ name: 'search_notes', arguments: { query: 'hello' } });
      expect(recorded.isError).toBeFalsy();
      expect(textOf(recorded)).toMatch(/Airlock recorded this call to search_notes but did not execute it .*search_only/);
      expect(log.ran()).toHaveLength(before);
      // A web page that rebinds a name to 127.0.0.1 reaches the port, but not with a loopback Host.
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'read_note', arguments: { id: 'welcome' } } }));
      });
      expect(status).toBe(403);
      expect(log.ran()).toHaveLength(before);
    } finally {
      await client.close();
      child.kill('SIGTERM');
      await waitFor(() => child.exitCode !== null, { what: 'the gateway to stop' });
    }
    expect(child.exitCode).toBe(0);
  });
});

describe('mcp-gateway in front of an upstream whose tool list never ends', () => {
  it.each([
    ['hands out a new cursor on every page', 'fresh', /more than 100 pages/],
    ['hands back a cursor it gave before', 'repeat', /repeated a cursor/],
  ])('answers tools/list and tools/call with an error when the upstream %s, and runs nothing', async (_name, mode, why) => {
    const gateway = await connectStdioGateway({ url: t.url, agentKey: t.key, log: log.file, upstream: ENDLESS_CURSOR_SERVER, env: { ENDLESS_CURSOR: mode } });
    try {
      const before = log.ran().length;
      // A bounded wait: before the gateway capped pages it listed forever, and these calls never came back.
      const called = await gateway.callTool({ name: 'read_note', arguments: { id: 'welcome' } }, undefined, { timeout: 15_000 });
      expect(called.isError).toBe(true);
      expect(textOf(called)).toMatch(why);
      expect(textOf(called)).toContain('read_note was not executed');
      expect(log.ran()).toHaveLength(before);
      await waitFor(async () => (await latest('notes.read_note')).status === 'failed', { what: 'the call reported as failed' });
      await expect(gateway.listTools(undefined, { timeout: 15_000 })).rejects.toThrow(why);
    } finally {
      await gateway.close();
    }
  });
});
