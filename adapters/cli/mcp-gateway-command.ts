import { parseDuration } from '../../src/domain/duration.js';
import { listFlag, stringFlag, UsageError, type CliCommand } from './cli-command.js';
import { osUser } from './operator.js';
import { upstreamTarget } from './upstream-target.js';
import { commandUsage } from './usage-text.js';

const toolList = (values: string[]) => new Set(values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean));

/** `airlock mcp-gateway`: runs until the MCP client goes away (stdio) or a signal (HTTP). */
export const MCP_GATEWAY_COMMAND: CliCommand = {
  name: 'mcp-gateway',
  args: { text: '-- <upstream command...>', min: 0, max: Infinity },
  flags: {
    'agent-key': { type: 'string', value: 'K', about: "the agent's key (default: AIRLOCK_AGENT_KEY; prefer the variable: arguments show in ps)" },
    url: { type: 'string', value: 'U', about: "Airlock's URL (default: AIRLOCK_URL, else http://127.0.0.1:$PORT)" },
    'upstream-url': { type: 'string', value: 'URL', about: 'an upstream MCP server over streamable HTTP (http://host/mcp) instead of a command' },
    'server-name': { type: 'string', value: 'S', about: 'policy tool names are S.<tool> (default: the tool names as they are)' },
    requester: { type: 'string', value: 'ID', about: 'on whose behalf the agent acts (default: AIRLOCK_REQUESTER, else the OS user)' },
    'requester-email': { type: 'string', value: 'E', about: "the requester's email (lets reviewers' self-approval check match by email)" },
    workflow: { type: 'string', value: 'W', about: 'the workflow every action is submitted under' },
    environment: { type: 'string', value: 'E', about: 'the environment every action is submitted for' },
    'read-only': { type: 'string', value: 'T1,T2', multiple: true, about: 'upstream tools that only read: they may also run when Airlock answers search_only or draft_write' },
    drafts: { type: 'string', value: 'T1,T2', multiple: true, about: 'upstream tools that only save drafts: they may also run when Airlock answers draft_write' },
    'approval-timeout': { type: 'string', value: 'D', about: 'stop waiting for reviewers after D (e.g. 10m; default: until Airlock decides)' },
    http: { type: 'string', value: 'PORT', about: 'serve streamable HTTP at http://<host>:PORT/mcp instead of stdio' },
    host: { type: 'string', value: 'H', about: 'the host --http listens on (default 127.0.0.1)' },
  },
  about: ["serve an MCP server's tools behind Airlock's policy and approvals: an MCP server on stdio (or --http),", 'every tools/call submitted as an action first'],
  async run({ values, args, services, io }) {
    const usage = (why: string) => new UsageError(why, commandUsage(MCP_GATEWAY_COMMAND));
    const agentKey = stringFlag(values, 'agent-key') ?? services.gatewayDefaults.agentKey;
    if (!agentKey) throw usage('an agent key is required (--agent-key or AIRLOCK_AGENT_KEY)');
    const upstream = upstreamTarget(args, stringFlag(values, 'upstream-url'));
    if (!upstream) throw usage('name the upstream MCP server: -- <command...> or --upstream-url <url> (one of them)');
    const timeout = stringFlag(values, 'approval-timeout');
    const approvalTimeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
    if (timeout !== undefined && approvalTimeoutMs === undefined) throw usage('--approval-timeout must be a duration such as 90s or 10m');
    const http = stringFlag(values, 'http');
    const port = http === undefined ? undefined : Number(http);
    if (port !== undefined && !(http!.trim() !== '' && Number.isInteger(port) && port >= 0 && port < 65536)) throw usage('--http must be a port number');
    const email = stringFlag(values, 'requester-email');
    return services.mcpGateway({
      agentKey,
      url: stringFlag(values, 'url') ?? services.gatewayDefaults.url,
      upstream,
      serverName: stringFlag(values, 'server-name'),
      requester: { id: stringFlag(values, 'requester') ?? services.gatewayDefaults.requester ?? osUser(), ...(email ? { email } : {}) },
      workflow: stringFlag(values, 'workflow'),
      environment: stringFlag(values, 'environment'),
      readOnlyTools: toolList(listFlag(values, 'read-only')),
      draftTools: toolList(listFlag(values, 'drafts')),
      approvalTimeoutMs,
      ...(port === undefined ? {} : { http: { host: stringFlag(values, 'host') ?? '127.0.0.1', port } }),
      err: (line) => io.err(line),
    });
  },
};
