import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { connectUpstream, createGateway, policySnippet, serveHttp, serveStdio, type UpstreamTarget } from '../../adapters/mcp/index.js';
import { Airlock, AirlockClientError } from '../../clients/typescript/src/index.js';
import type { Env } from '../config/env.js';
import { parseDuration } from '../domain/duration.js';

export const MCP_GATEWAY_USAGE = `usage: npm run -s airlock -- mcp-gateway [options] -- <upstream command...>
       npm run -s airlock -- mcp-gateway [options] --upstream-url <http://host/mcp>
  Puts an MCP server's tools behind Airlock: an MCP server on stdio (or --http), every tools/call submitted as an action first.
  --agent-key K          the agent's key (default: AIRLOCK_AGENT_KEY; prefer the variable: arguments show in ps)
  --url U                Airlock's URL (default: AIRLOCK_URL, else http://127.0.0.1:$PORT)
  --server-name S        policy tool names are S.<tool> (default: the tool names as they are)
  --requester ID         on whose behalf the agent acts (default: AIRLOCK_REQUESTER, else the OS user)
  --requester-email E    the requester's email (lets reviewers' self-approval check match by email)
  --workflow W, --environment E
  --read-only T1,T2      upstream tools that only read: they may also run when Airlock answers search_only or draft_write
  --drafts T1,T2         upstream tools that only save drafts: they may also run when Airlock answers draft_write
  --approval-timeout D   stop waiting for reviewers after D (e.g. 10m; default: until Airlock decides)
  --http PORT            serve streamable HTTP at http://<host>:PORT/mcp instead of stdio (--host, default 127.0.0.1)`;

export const IMPORT_MCP_USAGE = `usage: npm run -s airlock -- policy import-mcp [--server-name S] -- <upstream command...>
       npm run -s airlock -- policy import-mcp [--server-name S] --upstream-url <http://host/mcp>
  Prints policy entries (YAML) registering the MCP server's tools, with args_schema from their input schemas.`;

const err = (line: string) => process.stderr.write(`${line}\n`);

function upstreamOf(positionals: string[], url: string | undefined): UpstreamTarget | undefined {
  if (url) return positionals.length ? undefined : { url };
  const [command, ...args] = positionals;
  return command ? { command, args } : undefined;
}

const toolList = (values: string[] | undefined) => new Set((values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean));

/** `airlock mcp-gateway`: runs until the MCP client goes away (stdio) or a signal (HTTP). */
export async function runMcpGateway(argv: string[], env: Env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'agent-key': { type: 'string' },
      url: { type: 'string' },
      'server-name': { type: 'string' },
      requester: { type: 'string' },
      'requester-email': { type: 'string' },
      workflow: { type: 'string' },
      environment: { type: 'string' },
      'read-only': { type: 'string', multiple: true },
      drafts: { type: 'string', multiple: true },
      'approval-timeout': { type: 'string' },
      http: { type: 'string' },
      host: { type: 'string' },
      'upstream-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${MCP_GATEWAY_USAGE}\n`);
    return 0;
  }
  const usage = (why: string) => {
    err(`airlock: ${why}\n${MCP_GATEWAY_USAGE}`);
    return 2;
  };
  const agentKey = values['agent-key'] ?? process.env.AIRLOCK_AGENT_KEY;
  if (!agentKey) return usage('an agent key is required (--agent-key or AIRLOCK_AGENT_KEY)');
  const target = upstreamOf(positionals, values['upstream-url']);
  if (!target) return usage('name the upstream MCP server: -- <command...> or --upstream-url <url> (one of them)');
  const approvalTimeoutMs = values['approval-timeout'] === undefined ? undefined : parseDuration(values['approval-timeout']);
  if (approvalTimeoutMs === undefined && values['approval-timeout'] !== undefined) return usage('--approval-timeout must be a duration such as 90s or 10m');
  const httpPort = values.http === undefined ? undefined : Number(values.http);
  if (httpPort !== undefined && !(Number.isInteger(httpPort) && httpPort >= 0 && httpPort < 65536)) return usage('--http must be a port number');

  const url = values.url ?? process.env.AIRLOCK_URL ?? `http://127.0.0.1:${env.PORT}`;
  const airlock = new Airlock({ url, agentKey });
  try {
    const profile = await airlock.agent();
    err(`airlock mcp-gateway: agent ${profile.tenant}/${profile.agent} at ${url}`);
  } catch (e) {
    if (e instanceof AirlockClientError && e.kind === 'http' && (e.status === 401 || e.status === 403)) {
      err(`airlock: ${e.message}`);
      return 1;
    }
    // Calls fail closed while Airlock is away; the gateway itself can wait for it.
    err(`airlock mcp-gateway: warning: ${(e as Error).message}`);
  }

  const upstream = await connectUpstream(target);
  const gateway = createGateway(airlock, upstream, {
    serverName: values['server-name'],
    requester: { id: values.requester ?? process.env.AIRLOCK_REQUESTER ?? userInfo().username, ...(values['requester-email'] ? { email: values['requester-email'] } : {}) },
    workflow: values.workflow,
    environment: values.environment,
    readOnlyTools: toolList(values['read-only']),
    draftTools: toolList(values.drafts),
    approvalTimeoutMs,
    warn: err,
  });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    if (httpPort === undefined) {
      const { closed } = await serveStdio(gateway);
      await Promise.race([closed, stopped]);
    } else {
      const served = await serveHttp(gateway, { host: values.host ?? '127.0.0.1', port: httpPort });
      err(`airlock mcp-gateway: serving MCP at ${served.url}`);
      await stopped;
      await served.close();
    }
  } finally {
    await upstream.close();
  }
  return 0;
}

/** `airlock policy import-mcp`: prints the policy entries for an MCP server's tools. */
export async function runImportMcp(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'server-name': { type: 'string' }, 'upstream-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_MCP_USAGE}\n`);
    return 0;
  }
  const target = upstreamOf(positionals, values['upstream-url']);
  if (!target) {
    err(`airlock: name the MCP server: -- <command...> or --upstream-url <url> (one of them)\n${IMPORT_MCP_USAGE}`);
    return 2;
  }
  const upstream = await connectUpstream(target, { name: 'airlock-policy-import', version: '1' });
  try {
    const tools = await upstream.listTools();
    const info = upstream.client.getServerVersion();
    process.stdout.write(policySnippet(tools, { serverName: values['server-name'], serverLabel: info ? `${info.name} ${info.version}` : undefined }));
  } finally {
    await upstream.close();
  }
  return 0;
}
