import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** Where the MCP server Airlock stands in front of runs: a command it starts (stdio), or a streamable HTTP URL. */
export type UpstreamTarget = { command: string; args: string[] } | { url: string };

/**
 * Pages of `tools/list` read before giving up. A server with this many pages
 * is broken or hostile: one that answers `nextCursor` forever would otherwise
 * hold the caller and grow its memory without end.
 */
export const MAX_TOOL_PAGES = 100;

/** Variables that are the gateway's own and never reach the upstream server. */
const PRIVATE_ENV = ['AIRLOCK_AGENT_KEY', 'AIRLOCK_SECRET'];

export interface Upstream {
  client: Client;
  /** Every tool the upstream lists (all pages); throws when the paging does not end (see MAX_TOOL_PAGES) or loops. */
  listTools(): Promise<Tool[]>;
  close(): Promise<void>;
}

/**
 * Connects to the upstream MCP server as an MCP client. A command is started
 * with `environment` (the caller's own, less the private variables); its
 * stderr is passed through to ours.
 */
export async function connectUpstream(
  target: UpstreamTarget,
  environment: Record<string, string | undefined>,
  clientInfo = { name: 'airlock-mcp-gateway', version: '1' },
): Promise<Upstream> {
  const client = new Client(clientInfo);
  if ('url' in target) {
    await client.connect(new StreamableHTTPClientTransport(new URL(target.url)));
  } else {
    const env = Object.fromEntries(Object.entries(environment).filter((e): e is [string, string] => e[1] !== undefined && !PRIVATE_ENV.includes(e[0])));
    await client.connect(new StdioClientTransport({ command: target.command, args: target.args, env, stderr: 'inherit' }));
  }
  return {
    client,
    listTools: async () => {
      const tools: Tool[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        if (pages === MAX_TOOL_PAGES) throw new Error(`the upstream MCP server's tools/list ran to more than ${MAX_TOOL_PAGES} pages; it is not read further`);
        const page = await client.listTools(cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
        if (!cursor) return tools;
        // A cursor handed out twice would page in a circle.
        if (seen.has(cursor)) throw new Error(`the upstream MCP server's tools/list repeated a cursor after ${pages + 1} pages; it is not read further`);
        seen.add(cursor);
      }
    },
    close: () => client.close(),
  };
}
