/**
 * The wire types of Airlock's agent API. The shapes follow the OpenAPI
 * document the server serves at GET /openapi.json (see openapi.ts, generated
 * from it); the value lists are repeated here because this client checks
 * every answer against them at run time and refuses what it does not know.
 */
export const DECISIONS = ['allow', 'constrain', 'queue_for_approval', 'deny', 'fallback'] as const;
export type Decision = (typeof DECISIONS)[number];

export const MODES = ['off', 'observe', 'search_only', 'draft_write', 'approval_required', 'allow'] as const;
export type Mode = (typeof MODES)[number];

export const STATUSES = ['decided', 'pending', 'approved', 'denied', 'expired', 'succeeded', 'failed', 'rolled_back'] as const;
export type ActionStatus = (typeof STATUSES)[number];

export const RESULT_OUTCOMES = ['succeeded', 'failed', 'rolled_back'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

export interface Requester {
  id: string;
  email?: string;
  display?: string;
}

/** POST /v1/actions. */
export interface ActionRequest {
  tool: string;
  args?: Record<string, unknown>;
  summary?: string;
  requester: Requester;
  workflow?: string;
  environment?: string;
  session_id?: string;
  context?: Record<string, unknown>;
  callback_url?: string;
  target?: string;
}

export interface Reviewer {
  platform: string;
  id: string;
  team_id: string;
  email: string | null;
  name: string | null;
}

export interface Review {
  reviewer: Reviewer;
  decision: 'approve' | 'deny';
  reason: string | null;
  at: string;
  round: number;
  args_version: number;
  args_sha256: string | null;
}

export interface ArgsEdit {
  version: number;
  by: Reviewer;
  at: string;
  changes: { path: string; from?: unknown; to?: unknown }[];
}

export interface ActionResultView {
  outcome: ResultOutcome;
  detail: string | null;
  external_ref: string | null;
  args_check: 'match' | 'mismatch' | null;
  violation: string | null;
  at: string;
}

/** An action as Airlock returns it (POST /v1/actions, GET /v1/actions/:id, callbacks). */
export interface Action {
  id: string;
  status: ActionStatus;
  decision: Decision;
  mode: Mode;
  reasons: string[];
  rule: string;
  policy_version: string;
  expires_at: string | null;
  tool: string;
  agent: string;
  created_at: string;
  decided_at: string | null;
  args_version: number;
  /** Keyed binding digest of the current arguments: only Airlock can compute it. */
  args_sha256: string;
  outcome_detail?: string;
  reviews?: Review[];
  /** The arguments reviewers approved, when they changed them; redacted fields hold `"[redacted]"`. */
  approved_args?: Record<string, unknown>;
  args_edits?: ArgsEdit[];
  result?: ActionResultView;
}

/** POST /v1/actions/:id/result. `args` are the arguments executed, in full (your own values for redacted fields). */
export interface ResultReport {
  outcome: ResultOutcome;
  args: Record<string, unknown>;
  detail?: string;
  external_ref?: string;
}

/** GET /v1/agent: what the policy lets this agent call. */
export interface AgentProfile {
  tenant: string;
  agent: string;
  tools: string[];
  environments: string[];
  mcp: { hide_unregistered_tools: boolean };
}
