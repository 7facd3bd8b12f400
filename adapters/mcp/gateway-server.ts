import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { AirlockClientError, type Airlock } from '../../clients/typescript/src/index.js';
import { callThroughAirlock, policyToolName, type GatewayOptions } from './call-through-airlock.js';
import type { Upstream } from './upstream.js';

export interface Gateway {
  /** A new MCP server session in front of the shared upstream (one per stdio process, one per HTTP request). */
  createServer(): Server;
}

/**
 * Airlock as an MCP server: it lists the upstream server's tools (only the
 * ones the policy registers for this agent, when the policy says so) and
 * sends every `tools/call` through Airlock before the upstream sees it.
 */
export function createGateway(airlock: Airlock, upstream: Upstream, opts: GatewayOptions & { warn(line: string): void }): Gateway {
  let known: Map<string, Tool> | undefined;
  const upstreamTools = async (refresh = false) => {
    if (!known || refresh) known = new Map((await upstream.listTools()).map((t) => [t.name, t]));
    return known;
  };
  const upstreamInfo = upstream.client.getServerVersion();

  return {
    createServer() {
      const server = new Server(
        { name: `airlock${opts.serverName ? `:${opts.serverName}` : ''}`, version: '1', title: `Airlock gate${upstreamInfo ? ` for ${upstreamInfo.name}` : ''}` },
        {
          capabilities: { tools: {} },
          instructions:
            'Every tool call goes through Airlock, an approval gate: a call may be allowed, run in a restricted mode, wait for a human reviewer, or be denied. A denied call comes back as an error whose text says why; adapt instead of retrying it unchanged.',
        },
      );

      server.setRequestHandler(ListToolsRequestSchema, async () => {
        let tools: Tool[];
        try {
          tools = [...(await upstreamTools(true)).values()];
        } catch (e) {
          throw new McpError(ErrorCode.InternalError, `Airlock could not list the upstream server's tools: ${(e as Error).message}`);
        }
        let profile;
        try {
          profile = await airlock.agent();
        } catch (e) {
          const why = e instanceof AirlockClientError ? e.message : String(e);
          throw new McpError(ErrorCode.InternalError, `Airlock could not say which tools this agent may call: ${why}`);
        }
        if (!profile.mcp.hide_unregistered_tools) return { tools };
        const registered = new Set(profile.tools);
        return { tools: tools.filter((t) => registered.has(policyToolName(t.name, opts.serverName))) };
      });

      server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
        const progressToken = request.params._meta?.progressToken;
        return callThroughAirlock(airlock, upstream, () => upstreamTools(), opts, request.params.name, request.params.arguments ?? {}, {
          signal: extra.signal,
          progressToken,
          warn: opts.warn,
          sendProgress: async (progress, message) => {
            if (progressToken === undefined) return;
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => {});
          },
        });
      });
      return server;
    },
  };
}
