import type { Effect, Mode, OnTimeout, Risk, SafeMode } from './decision.js';
import type { RolloutKey } from './rollout-bucket.js';

/**
 * The governance policy after loading: plain data plus compiled conditions.
 * Built by policy/load-policy.ts; consumed by the pure evaluator. Durations are
 * milliseconds. Every collection indexed by a name is a Map: names arrive from
 * outside (request bodies, chat commands, CLI flags), and a plain object would
 * answer `constructor` or `__proto__` with something inherited.
 */
export interface CompiledCondition {
  source: string;
  then: Mode | 'deny';
  /** Returns true/false, or throws when the expression cannot be evaluated for this request. */
  test: (input: ConditionInput) => boolean;
  /** `review_by` (YYYY-MM-DD): the rule is temporary and due for review then. */
  reviewBy?: string;
}

/**
 * One `rollout` stage of a tool: a segment (`if`, a condition whose `then` is
 * the stage's mode) or a stable slice (`percent` of the requests, bucketed by
 * the `by` key). Stages are tried after `when` and before the tool's mode.
 */
export type RolloutStage = { mode: Mode; reviewBy?: string } & (
  | { kind: 'segment'; condition: CompiledCondition }
  | { kind: 'slice'; percent: number; by: RolloutKey }
);

export interface ConditionInput {
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  requester: Record<string, unknown>;
  workflow: string;
  environment: string;
  agent: string;
  tenant: string;
  tool: string;
}

export interface ApprovalRule {
  reviewers: string;
  required: number;
  timeoutMs: number;
  onTimeout: OnTimeout;
  escalateTo?: string;
  remindAfterMs?: number;
  editable: string[];
}

/** One problem found in arguments, by dotted path (`attachments.0.name`). */
export interface ArgsIssue {
  path: string;
  message: string;
}

export interface ToolPolicy {
  name: string;
  owner?: string;
  /** `review_by` (YYYY-MM-DD): the tool's policy is due for review then. */
  reviewBy?: string;
  risk: Risk;
  effects: Effect[];
  mode: Mode;
  safestMode: SafeMode;
  approval?: ApprovalRule;
  when: CompiledCondition[];
  /** Absent: no stages. */
  rollout?: RolloutStage[];
  consequence?: string;
  redact: string[];
  /** The tool's `args_schema`, compiled once at load; absent when the tool declares none. */
  checkArgs?: (args: unknown) => ArgsIssue[];
}

/** Where a reviewer group meets on one chat platform. */
export interface GroupTarget {
  /** The platform's channel or conversation id. */
  place: string;
  /** Listed members, by the platform's user id. */
  users: string[];
  /** A platform-side group whose members also review (where the platform has one). */
  usergroup?: string;
}

/** People the identity provider vouches for: verified emails (lower-cased) and IdP groups. */
export interface ConsoleAudience {
  users: string[];
  groups: string[];
}

export interface ReviewerGroup {
  name: string;
  /** By chat platform name; the adapters read their own entry. */
  chat: ReadonlyMap<string, GroupTarget>;
  /** Who decides this group's approvals in the web console (no card is posted there: they come to its inbox). */
  console?: ConsoleAudience;
  /** Pending approvals above which new ones fall back instead of queueing. */
  maxPending: number;
}

export interface AgentPolicy {
  /** The most this agent may ever call (hard boundary). */
  tools: ReadonlySet<string>;
  /** Narrows the tenant's environments for this agent (hard boundary); absent: all of the tenant's. */
  environments?: ReadonlySet<string>;
  /** The MCP gateway hides the tools this agent may not call from `tools/list` (they are denied either way). */
  hideUnregisteredTools?: boolean;
}

/** A tenant's workspace on one chat platform: its id there, and where the platform is reached when it says so. */
export interface Workspace {
  id: string;
  endpoint?: string;
}

/** The tenant's identity provider: which sign-ins count, and which of their claims Airlock reads. */
export interface TenantIdentity {
  /** Only sign-ins from this issuer count for the tenant; absent: any the console accepts. */
  issuer?: string;
  audience?: string;
  /** The ID token claim listing the person's groups; absent: groups are not read for this tenant. */
  groupsClaim?: string;
  mfa?: { amr: string[]; acr: string[] };
}

export interface TenantPolicy {
  id: string;
  identity?: TenantIdentity;
  /** Web console roles: auditors read everything of the tenant; admins also run admin commands. */
  console: { auditors: ConsoleAudience; admins: ConsoleAudience };
  /** The tenant's workspace on each chat platform it uses, by platform name. */
  workspaces: ReadonlyMap<string, Workspace>;
  /** Admins' user ids, by chat platform name. */
  admins: ReadonlyMap<string, string[]>;
  /** The only `environment` values a request may name (exact match). */
  environments: ReadonlySet<string>;
  reviewerGroups: ReadonlyMap<string, ReviewerGroup>;
  agents: ReadonlyMap<string, AgentPolicy>;
}

export interface Policy {
  /** Content hash of the file, the first half of every recorded policy_version. */
  fileVersion: string;
  tenants: ReadonlyMap<string, TenantPolicy>;
  tools: ReadonlyMap<string, ToolPolicy>;
}

export interface OverrideStamp {
  reason?: string;
  by?: string;
  at?: string;
}

/** Runtime overrides an admin made for one tenant; `version` bumps on every change. */
export interface TenantOverrides {
  version: number;
  incident: { on: boolean; reason?: string; since?: string };
  deniedTools: ReadonlyMap<string, OverrideStamp>;
  killedAgents: ReadonlyMap<string, OverrideStamp>;
  toolModes: ReadonlyMap<string, Mode>;
}

export const NO_OVERRIDES: TenantOverrides = {
  version: 0,
  incident: { on: false },
  deniedTools: new Map(),
  killedAgents: new Map(),
  toolModes: new Map(),
};

export const policyVersion = (policy: Policy, overrides: Pick<TenantOverrides, 'version'>): string =>
  `${policy.fileVersion}.${overrides.version}`;

/** A copy of `map` with `key` set, or removed when `value` is undefined (overrides are immutable values). */
export function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V | undefined): ReadonlyMap<string, V> {
  const next = new Map(map);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}
