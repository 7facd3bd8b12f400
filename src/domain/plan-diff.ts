import type { Decision, Mode } from './decision.js';

/** What one request would get: the decision and the mode it leaves the agent. */
export interface Outcome {
  decision: Decision;
  mode: Mode;
}

/**
 * How a request's outcome moves from the live policy to a candidate:
 * `loosens` when it gives the agent more (now allowed, a less restricted
 * mode, no longer queued or denied), `tightens` when it gives less,
 * `relabels` when the decision's name changes but the agent may do exactly
 * the same (`constrain` ↔ `fallback` to one mode).
 */
export type Effect = 'unchanged' | 'loosens' | 'tightens' | 'relabels';

/**
 * How much an outcome lets the agent do without anyone else, least first.
 * A queued request runs only once a human approves, so it sits above a
 * denial and below every mode that runs at once: leaving the queue for any
 * of them loosens, and a constrained request that now waits for a human
 * tightens.
 */
const LATITUDE: Record<Mode, number> = {
  off: 0,
  approval_required: 1,
  observe: 2,
  search_only: 3,
  draft_write: 4,
  allow: 5,
};

const latitude = (o: Outcome): number => (o.decision === 'deny' ? 0 : o.decision === 'queue_for_approval' ? 1 : LATITUDE[o.mode]);

export function classifyTransition(live: Outcome, candidate: Outcome): Effect {
  if (live.decision === candidate.decision && live.mode === candidate.mode) return 'unchanged';
  const from = latitude(live);
  const to = latitude(candidate);
  return to > from ? 'loosens' : to < from ? 'tightens' : 'relabels';
}

/** An outcome as a transition shows it: `queue_for_approval`, `constrain(draft_write)`. */
export function outcomeLabel(o: Outcome): string {
  return o.decision === 'constrain' || o.decision === 'fallback' ? `${o.decision}(${o.mode})` : o.decision;
}
