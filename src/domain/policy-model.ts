import type { Effect, Mode, OnTimeout, Risk, SafeMode } from './decision.js';

/**
 * The governance policy after loading: plain data plus compiled conditions.
 * Built by policy/load-policy.ts; consumed by the pure evaluator. Durations are
 * milliseconds.
 */
export interface CompiledCondition {
  source: string;
  then: Mode | 'deny';
  /** Returns true/false, or throws when the expression cannot be evaluated for this request. */
  test: (input: ConditionInput) => boolean;
}

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

export interface ToolPolicy {
  name: string;
  owner?: string;
  risk: Risk;
  effects: Effect[];
  mode: Mode;
  safestMode: SafeMode;
  approval?: ApprovalRule;
  when: CompiledCondition[];
  consequence?: string;
  redact: string[];
}

export interface SlackGroupTarget {
  channel: string;
  users: string[];
  usergroup?: string;
}

export interface TeamsGroupTarget {
  conversationId: string;
  users: string[];
}

export interface ReviewerGroup {
  name: string;
  slack?: SlackGroupTarget;
  teams?: TeamsGroupTarget;
  /** Pending approvals above which new ones fall back instead of queueing. */
  maxPending: number;
}

export interface TenantPolicy {
  id: string;
  slackTeamId?: string;
  teamsTenantId?: string;
  teamsServiceUrl?: string;
  admins: { slack: string[]; teams: string[] };
  reviewerGroups: Record<string, ReviewerGroup>;
  agents: Record<string, { tools: string[] }>;
}

export interface Policy {
  /** Content hash of the file, the first half of every recorded policy_version. */
  fileVersion: string;
  tenants: Record<string, TenantPolicy>;
  tools: Record<string, ToolPolicy>;
}

/** Runtime overrides an admin made for one tenant; `version` bumps on every change. */
export interface TenantOverrides {
  version: number;
  incident: { on: boolean; reason?: string; since?: string };
  deniedTools: Record<string, { reason?: string; by?: string; at?: string }>;
  killedAgents: Record<string, { reason?: string; by?: string; at?: string }>;
  toolModes: Record<string, Mode>;
}

export const NO_OVERRIDES: TenantOverrides = {
  version: 0,
  incident: { on: false },
  deniedTools: {},
  killedAgents: {},
  toolModes: {},
};

export const policyVersion = (policy: Policy, overrides: TenantOverrides): string =>
  `${policy.fileVersion}.${overrides.version}`;
