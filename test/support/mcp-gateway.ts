import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TEST_SECRET } from './secret.js';

export const NOTES_SERVER = ['node', '--import', 'tsx', 'test/fakes/notes-mcp-server.ts'];
/** An upstream whose `tools/list` never ends (ENDLESS_CURSOR=fresh) or loops on one cursor (ENDLESS_CURSOR=repeat). */
export const ENDLESS_CURSOR_SERVER = ['node', '--import', 'tsx', 'test/fakes/endless-cursor-mcp-server.ts'];

/** A scratch file the notes server logs every executed tool call to. */
export function notesLog() {
  const dir = mkdtempSync(path.join(tmpdir(), 'airlock-mcp-'));
  const file = path.join(dir, 'ran.jsonl');
  return {
    file,
    /** The tool calls the upstream server actually executed, in order. */
    ran: (): { tool: string; args: Record<string, unknown> }[] => {
      try {
        return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Environment for a gateway process the way an MCP client config sets it (the key in a variable, not argv). */
export const gatewayEnv = (agentKey: string, log: string): Record<string, string> => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>),
  AIRLOCK_AGENT_KEY: agentKey,
  AIRLOCK_SECRET: TEST_SECRET,
  NOTES_LOG: log,
});

/** An MCP client (the SDK's) connected to `airlock mcp-gateway` over stdio, in front of the notes server (or `upstream`). */
export async function connectStdioGateway(opts: {
  url: string;
  agentKey: string;
  log: string;
  flags?: string[];
  serverName?: string;
  upstream?: string[];
  env?: Record<string, string>;
}): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: 'node',
      args: ['--import', 'tsx', 'src/main/cli.ts', 'mcp-gateway', '--url', opts.url, '--server-name', opts.serverName ?? 'notes', ...(opts.flags ?? []), '--', ...(opts.upstream ?? NOTES_SERVER)],
      env: { ...gatewayEnv(opts.agentKey, opts.log), ...opts.env },
      stderr: 'pipe',
    }),
  );
  return client;
}
