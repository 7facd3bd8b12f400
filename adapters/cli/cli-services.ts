import type { Writable } from 'node:stream';
import type { Action } from '../../src/domain/action.js';
import type { EvidenceReport } from '../../src/domain/evidence.js';
import type { Policy, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ActionStore } from '../../src/ports/action-store.js';
import type { AuditCheckpoint, AuditExportFilter, ChainVerification, VerifyOptions } from '../../src/ports/audit-log.js';
import type { makeCreateAgent } from '../../src/usecases/create-agent.js';
import type { makeListAgents } from '../../src/usecases/list-agents.js';
import type { makeOperatorReview } from '../../src/usecases/operator-review.js';
import type { ReportInput } from '../../src/usecases/report.js';
import type { ActionIdMatch } from '../../src/usecases/resolve-action-id.js';
import type { StoryLookup } from '../../src/usecases/show-action-story.js';
import type { makeRevokeAgentKeys } from '../../src/usecases/revoke-agent-keys.js';
import type { PlanReport } from '../../src/usecases/plan-policy.js';
import type { ShadowReport } from '../../src/usecases/shadow-report.js';
import type { makeRotateAgentKey } from '../../src/usecases/rotate-agent-key.js';
import type { AdminActor, AdminReply } from '../../src/usecases/run-admin-command.js';

/**
 * What the CLI calls: use cases and the few ports a shell command needs,
 * wired by the composition root. Each `with…` opens what its commands need
 * (database, policy, queues), runs them and closes it again, since every CLI
 * call is a short-lived process. Deliberately left out: anything that
 * listens (the CLI serves no clicks and runs no workers).
 */
export interface CliServices {
  migrate(): Promise<string[]>;
  policy: {
    /** The file the server loads (POLICY_FILE, else ./policy.yml, else the example). */
    serverFile(): string;
    /** The policy in `file`; an AirlockError listing every problem when it is invalid. */
    check(file: string): Promise<Policy>;
    /** Has every running server reload its file, and says whether one did. */
    reload(checked: Policy): Promise<{ ok: boolean; text: string }>;
    schema(): unknown;
    /** Policy entries (YAML) for the tools of an MCP server. */
    importMcp(target: UpstreamTarget, serverName: string | undefined): Promise<string>;
    /** Replays the tenant's recorded requests in the window through `candidate` and the live policy (read only). */
    plan(request: { tenant: string; candidate: Policy; since: Date; until: Date }): Promise<PlanReport>;
    /** How the shadow policy disagreed with the live one on the tenant's requests in the window (read only). */
    shadowReport(request: { tenant: string; since: Date; until: Date }): Promise<ShadowReport>;
  };
  withAgents<T>(run: (agents: AgentUseCases) => Promise<T>): Promise<T>;
  withApprovals<T>(run: (approvals: ApprovalUseCases) => Promise<T>): Promise<T>;
  withAuditLog<T>(run: (audit: AuditSession) => Promise<T>): Promise<T>;
  /** The evidence for a tenant over a window, read from the database; it writes nothing. */
  report(input: ReportInput): Promise<EvidenceReport>;
  /** One action's story from the tenant's audit trail, by its id or a prefix of it; it writes nothing. */
  actionStory(tenant: string, idOrPrefix: string): Promise<StoryLookup>;
  /** Serves an MCP server's tools behind Airlock until the MCP client goes away or a signal; the exit code. */
  mcpGateway(options: McpGatewayOptions): Promise<number>;
  /** What `mcp-gateway` takes from the environment (AIRLOCK_AGENT_KEY, AIRLOCK_URL, AIRLOCK_REQUESTER) for a flag left out. */
  gatewayDefaults: { agentKey?: string; url?: string; requester?: string };
}

export interface AgentUseCases {
  create: ReturnType<typeof makeCreateAgent>;
  list: ReturnType<typeof makeListAgents>;
  rotate: ReturnType<typeof makeRotateAgentKey>;
  revoke: ReturnType<typeof makeRevokeAgentKeys>;
}

export interface ApprovalUseCases {
  tenant(id: string): TenantPolicy | undefined;
  pending: ActionStore['pendingSummary'];
  get(tenant: string, id: string): Promise<Action | undefined>;
  resolveActionId(tenant: string, idOrPrefix: string): Promise<ActionIdMatch>;
  operatorReview: ReturnType<typeof makeOperatorReview>;
  adminCommand(actor: AdminActor, text: string): Promise<AdminReply>;
  now(): Date;
}

export interface AuditSession {
  /** Tenants of the policy the server last loaded: the fallback when the file is invalid. */
  liveTenants(): Promise<string[]>;
  seal(tenant: string): Promise<unknown>;
  verify(tenant: string, opts: VerifyOptions): Promise<ChainVerification>;
  checkpoint(tenant: string): Promise<AuditCheckpoint>;
  /** Writes the tenant's events `filter` keeps as JSON Lines; `error` when the output stopped taking them (the export is incomplete). */
  exportJsonLines(tenant: string, out: Writable, filter: AuditExportFilter): Promise<{ error?: string }>;
}

export type UpstreamTarget = { command: string; args: string[] } | { url: string };

export interface McpGatewayOptions {
  agentKey: string;
  url?: string;
  upstream: UpstreamTarget;
  serverName?: string;
  requester: { id: string; email?: string };
  workflow?: string;
  environment?: string;
  readOnlyTools: Set<string>;
  draftTools: Set<string>;
  approvalTimeoutMs?: number;
  http?: { host: string; port: number };
  /** Where the gateway's own messages go: stderr, as in stdio mode stdout is the MCP channel. */
  err(line: string): void;
}
