import type { Action, ReviewerIdentity } from './action.js';
import type { Person } from './message.js';

export type DecidedOutcome = 'approved' | 'denied' | 'expired' | 'fallback' | 'constrained' | 'escalated';

/** What an approval card shows besides the action itself. People are structured; each chat adapter renders them. */
export type CardState =
  /** `approvals` that count so far, for a quorum ("1 of 2 approvals"). */
  | { kind: 'pending'; approvals: Person[] }
  | { kind: 'decided'; outcome: DecidedOutcome; by: Person[]; at: Date; reason?: string; detail?: string };

export const personOf = (r: ReviewerIdentity): Person => ({ platform: r.platform, id: r.userId, ...(r.name ? { name: r.name } : {}) });

/**
 * The state a card shows for an action as stored. `round` is the card's
 * round: a round-0 card of an escalated action says it was escalated.
 */
export function cardStateFor(action: Action, round: number): CardState {
  if (action.status === 'pending' && round === action.round) {
    // Only approvals that still count: this round's, of the arguments as they stand.
    const counting = action.reviews.filter((r) => r.decision === 'approve' && r.round === action.round && r.argsVersion === action.argsVersion);
    return { kind: 'pending', approvals: counting.map((r) => personOf(r.reviewer)) };
  }
  const at = action.decidedAt ?? action.createdAt;
  const decided = (outcome: DecidedOutcome, extra: { by?: Person[]; reason?: string } = {}): CardState => ({
    kind: 'decided',
    outcome,
    by: extra.by ?? [],
    at,
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(action.outcomeDetail ? { detail: action.outcomeDetail } : {}),
  });
  const reviewers = (decision: 'approve' | 'deny') => action.reviews.filter((r) => r.decision === decision);
  switch (action.status) {
    case 'pending':
      return { kind: 'decided', outcome: 'escalated', by: [], at, detail: action.outcomeDetail ?? `escalated to ${action.reviewerGroup}` };
    case 'approved': {
      const approvers = reviewers('approve').filter((r) => r.round === action.round && r.argsVersion === action.argsVersion);
      return decided('approved', { by: approvers.map((r) => personOf(r.reviewer)), reason: approvers.at(-1)?.reason });
    }
    case 'denied': {
      const deniers = reviewers('deny');
      return decided('denied', { by: deniers.map((r) => personOf(r.reviewer)), reason: deniers.at(-1)?.reason });
    }
    case 'expired':
      return decided(action.decision === 'fallback' ? 'fallback' : 'expired');
    case 'decided':
      // Ended by an admin override while pending.
      return decided(action.decision === 'constrain' ? 'constrained' : action.decision === 'deny' ? 'denied' : 'fallback');
    default:
      // A result was reported after the decision: show how the approval ended.
      return decided(
        action.decision === 'queue_for_approval' ? 'approved' : action.decision === 'constrain' ? 'constrained' : action.decision === 'fallback' ? 'fallback' : 'expired',
      );
  }
}
