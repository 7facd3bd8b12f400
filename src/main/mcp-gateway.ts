import { escapeTerminal } from '../domain/terminal-text.js';
import { connectUpstream, createGateway, policySnippet, serveHttp, serveStdio, type UpstreamTarget } from '../../adapters/mcp/index.js';
import type { McpGatewayOptions } from '../../adapters/cli/index.js';
import { Airlock, AirlockClientError } from '../../clients/typescript/src/index.js';

/**
 * The MCP gateway as an agent of Airlock: it reaches Airlock through the
 * TypeScript client at `url`, like any agent. Runs until the MCP client goes
 * away (stdio) or a signal (HTTP); the exit code. The upstream command is
 * started with `environment`.
 */
export async function runMcpGateway(opts: McpGatewayOptions & { url: string }, environment: NodeJS.ProcessEnv): Promise<number> {
  const { err } = opts;
  const airlock = new Airlock({ url: opts.url, agentKey: opts.agentKey });
  try {
    const profile = await airlock.agent();
    err(`airlock mcp-gateway: agent ${profile.tenant}/${profile.agent} at ${opts.url}`);
  } catch (e) {
    if (e instanceof AirlockClientError && e.kind === 'http' && (e.status === 401 || e.status === 403)) {
      err(`airlock: ${e.message}`);
      return 1;
    }
    // Calls fail closed while Airlock is away; the gateway itself can wait for it.
    err(`airlock mcp-gateway: warning: ${(e as Error).message}`);
  }

  const upstream = await connectUpstream(opts.upstream, environment);
  const gateway = createGateway(airlock, upstream, {
    serverName: opts.serverName,
    requester: opts.requester,
    workflow: opts.workflow,
    environment: opts.environment,
    readOnlyTools: opts.readOnlyTools,
    draftTools: opts.draftTools,
    approvalTimeoutMs: opts.approvalTimeoutMs,
    warn: err,
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    if (!opts.http) {
      const { closed } = await serveStdio(gateway);
      await Promise.race([closed, stopped]);
    } else {
      const served = await serveHttp(gateway, opts.http);
      err(`airlock mcp-gateway: serving MCP at ${served.url}`);
      await stopped;
      await served.close();
    }
  } finally {
    await upstream.close();
  }
  return 0;
}

/** Policy entries (YAML) for an MCP server's tools; a command is started with `environment`. */
export async function importMcpTools(target: UpstreamTarget, serverName: string | undefined, environment: NodeJS.ProcessEnv): Promise<string> {
  const upstream = await connectUpstream(target, environment, { name: 'airlock-policy-import', version: '1' });
  try {
    const tools = await upstream.listTools();
    const info = upstream.client.getServerVersion();
    return policySnippet(tools, { serverName, serverLabel: info ? `${info.name} ${info.version}` : undefined, escape: escapeTerminal });
  } finally {
    await upstream.close();
  }
}
