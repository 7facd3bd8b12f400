import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AirlockClientError, type Action, type Airlock, type GateOutcome, type Requester } from '../../clients/typescript/src/index.js';
import type { Upstream } from './upstream.js';

export interface GatewayOptions {
  /** Prefix of policy tool names: upstream tool `create_issue` is `<serverName>.create_issue` in the policy. */
  serverName?: string;
  requester: Requester;
  workflow?: string;
  environment?: string;
  /**
   * Upstream tools that only read, so they may run when Airlock answers
   * `search_only` or `draft_write`. Declared by the operator: a server's own
   * readOnlyHint is a hint from the server, not something to grant on.
   */
  readOnlyTools: ReadonlySet<string>;
  /** Upstream tools that only save drafts, so they may run when Airlock answers `draft_write`. Declared by the operator. */
  draftTools: ReadonlySet<string>;
  /** Give up waiting for reviewers after this long (default: until Airlock decides). */
  approvalTimeoutMs?: number;
  /** Seconds between progress notifications while a call waits for reviewers (default 10). */
  progressEverySeconds?: number;
}

export interface CallContext {
  signal: AbortSignal;
  progressToken?: string | number;
  sendProgress(progress: number, message: string): Promise<void>;
  /** Where the gateway says what it could not do (report failures); never stdout, which is the MCP stream in stdio mode. */
  warn(line: string): void;
}

export const policyToolName = (tool: string, serverName?: string) => (serverName ? `${serverName}.${tool}` : tool);

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

/**
 * One `tools/call` through Airlock: submit it as an action, wait for a
 * decision (with progress notifications while reviewers decide), forward it
 * upstream only when the decision lets it run, and report what the upstream
 * did. Every way of not running is a result whose text tells the model why,
 * so it can adapt; an answer Airlock could not give is never a forward.
 */
export async function callThroughAirlock(
  airlock: Airlock,
  upstream: Upstream,
  upstreamTools: () => Promise<Map<string, Tool>>,
  opts: GatewayOptions,
  name: string,
  args: Record<string, unknown>,
  ctx: CallContext,
): Promise<CallToolResult> {
  const tool = policyToolName(name, opts.serverName);
  const started = Date.now();
  let outcome: GateOutcome;
  try {
    outcome = await airlock.gate(
      {
        tool,
        args,
        requester: opts.requester,
        summary: `MCP tools/call ${name}${opts.serverName ? ` on ${opts.serverName}` : ''}`,
        ...(opts.workflow ? { workflow: opts.workflow } : {}),
        ...(opts.environment ? { environment: opts.environment } : {}),
      },
      {
        signal: ctx.signal,
        timeoutMs: opts.approvalTimeoutMs,
        pollSeconds: opts.progressEverySeconds ?? 10,
        onPending: (a: Action) => ctx.sendProgress(Math.round((Date.now() - started) / 1000), `Waiting for a reviewer to approve ${tool} (Airlock action ${a.id})`),
      },
    );
  } catch (e) {
    const why = e instanceof AirlockClientError ? e.message : `unexpected error: ${(e as Error).message}`;
    return text(`Airlock could not decide this call, so ${name} was not executed. ${why}`, true);
  }

  // A call nobody decided in time never runs, whatever the timeout rule left: the model is told why.
  if (outcome.action.status === 'expired') return text(`Airlock did not allow ${name} (Airlock action ${outcome.action.id}): ${outcome.reason}. Nothing was executed.`, true);
  const withinMode =
    (outcome.mode === 'search_only' && opts.readOnlyTools.has(name)) ||
    (outcome.mode === 'draft_write' && (opts.readOnlyTools.has(name) || opts.draftTools.has(name)));
  if (!outcome.execute && !withinMode) return notExecuted(outcome, name);

  let listed: Map<string, Tool>;
  try {
    listed = await upstreamTools();
  } catch (e) {
    await report(airlock, outcome, 'failed', `the upstream tool list could not be read: ${(e as Error).message}`, ctx);
    return text(`Airlock could not list the upstream server's tools, so ${name} was not executed: ${(e as Error).message}`, true);
  }
  if (!listed.has(name)) {
    const result = text(`The upstream MCP server has no tool ${name}; nothing was executed.`, true);
    await report(airlock, outcome, 'failed', 'the upstream server has no such tool', ctx);
    return result;
  }
  let result: CallToolResult;
  try {
    result = (await upstream.client.callTool({ name, arguments: outcome.args }, undefined, { signal: ctx.signal })) as CallToolResult;
  } catch (e) {
    await report(airlock, outcome, 'failed', `upstream call failed: ${(e as Error).message}`, ctx);
    return text(`${name} failed upstream: ${(e as Error).message}`, true);
  }
  await report(airlock, outcome, result.isError ? 'failed' : 'succeeded', result.isError ? 'the upstream tool returned an error' : undefined, ctx);
  const changed = (outcome.action.args_edits ?? []).flatMap((e) => e.changes.map((c) => c.path));
  if (changed.length === 0) return result;
  // The model asked for other arguments: say what actually ran.
  return {
    ...result,
    content: [...(result.content ?? []), { type: 'text', text: `Airlock: reviewers changed ${[...new Set(changed)].join(', ')} before approving; ${name} ran with ${JSON.stringify(changedValues(outcome, changed))}.` }],
  };
}

const changedValues = (o: GateOutcome, paths: string[]) =>
  Object.fromEntries([...new Set(paths)].map((p) => [p, p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o.args)]));

function notExecuted(o: GateOutcome, name: string): CallToolResult {
  const id = `(Airlock action ${o.action.id})`;
  switch (o.mode) {
    case 'observe':
    case 'search_only':
    case 'draft_write':
      // Recorded, not refused: the policy lets the call be seen but not run in full.
      return text(`Airlock recorded this call to ${name} but did not execute it ${id}: ${o.reason}.`);
    default:
      return text(`Airlock did not allow ${name} ${id}: ${o.reason}. Do not retry it unchanged.`, true);
  }
}

async function report(airlock: Airlock, o: GateOutcome, outcome: 'succeeded' | 'failed', detail: string | undefined, ctx: CallContext) {
  try {
    await airlock.reportResult(o.action, { outcome, args: o.args, ...(detail ? { detail } : {}) });
  } catch (e) {
    ctx.warn(`airlock: could not report the result of ${o.action.id}: ${(e as Error).message}`);
  }
}
