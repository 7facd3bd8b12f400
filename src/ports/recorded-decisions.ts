import type { TenantOverrides } from '../domain/policy-model.js';

/** One decided request as evaluation read it, for replaying it through another policy. */
export interface RecordedDecision {
  id: string;
  agent: string;
  tool: string;
  /** The arguments' JSON text as stored (redacted values masked); parsed only when a condition may read it. */
  argsJson: string;
  /** The tool's `redact` paths when it was submitted: what `argsJson` masks. */
  redact: string[];
  context: Record<string, unknown>;
  requester: Record<string, unknown>;
  workflow: string | null;
  environment: string;
  sessionId: string | null;
  /** The admin overrides in force when it was decided; undefined when they were not recorded. */
  overrides: TenantOverrides | undefined;
}

export interface DecisionWindow {
  tenant: string;
  since: Date;
  until: Date;
}

/**
 * The requests a tenant's actions were decided on, streamed: millions of rows
 * pass through `visit` one at a time (the same object may not outlive the
 * call). Read in one snapshot and never written. Left out: what happened
 * after intake (reviews, edits, results) and the review queue's length at the
 * time, which a replay does not reproduce.
 */
export interface RecordedDecisions {
  forEach(window: DecisionWindow, visit: (decision: RecordedDecision) => void): Promise<number>;
}
