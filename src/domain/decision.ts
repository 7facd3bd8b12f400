export const DECISIONS = ['allow', 'constrain', 'queue_for_approval', 'deny', 'fallback'] as const;
export type Decision = (typeof DECISIONS)[number];

export const MODES = ['off', 'observe', 'search_only', 'draft_write', 'approval_required', 'allow'] as const;
export type Mode = (typeof MODES)[number];

/** Modes an action can be reduced to: they never need a human and never run unrestricted. */
export const SAFE_MODES = ['off', 'observe', 'search_only', 'draft_write'] as const;
export type SafeMode = (typeof SAFE_MODES)[number];

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

export const EFFECTS = [
  'external_effect',
  'production_write',
  'financial',
  'permission_change',
  'sensitive_read',
  'irreversible',
] as const;
export type Effect = (typeof EFFECTS)[number];

export const ON_TIMEOUT = ['deny', 'fallback', 'escalate'] as const;
export type OnTimeout = (typeof ON_TIMEOUT)[number];

/** The outcome of policy evaluation: a value, never an exception. */
export interface PolicyDecision {
  decision: Decision;
  /** What the agent may do: the constrained/fallback mode, `allow`, `approval_required` while queued, `off` when denied. */
  mode: Mode;
  /** One line per evaluation step that ran, in order; the last one says why this decision. */
  reasons: string[];
  /** Stable identifier of the rule that produced the decision, e.g. `tools.send_email.when[0]`. */
  rule: string;
  /** The hard-boundary result, recorded in the audit trail. */
  hardBoundary: 'passed' | 'unknown_agent' | 'unregistered_tool' | 'not_in_agent_tools' | 'environment_not_allowed' | 'agent_killed';
  /** The rollout stage that gave the mode, when one did. */
  rollout?: RolloutHit;
}

/**
 * Which rollout stage decided, recorded with the decision: its index, and for
 * a percent stage the bucket and the name of the key bucketed (never the
 * key's value, which may be a person's id).
 */
export interface RolloutHit {
  stage: number;
  bucket?: number;
  key?: string;
}
