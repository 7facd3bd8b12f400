import type { Action } from './action.js';

export type DecidedOutcome = 'approved' | 'denied' | 'expired' | 'fallback' | 'escalated';

/** What an approval card shows besides the action itself. */
export type CardState =
  /** `approvals` so far, for a quorum ("1 of 2 approvals"). */
  | { kind: 'pending'; approvals: { name: string }[] }
  /** `by` is how to show the reviewer: a bare `<@U123>` mention renders as their name, anything else as text. */
  | { kind: 'decided'; outcome: DecidedOutcome; by?: string; at: Date; reason?: string; detail?: string };

const mention = (r: Action['reviews'][number]['reviewer']) => (r.platform === 'slack' ? `<@${r.userId}>` : (r.name ?? r.userId));

/**
 * The state a card shows for an action as stored. `round` is the card's
 * round: a round-0 card of an escalated action says it was escalated.
 */
export function cardStateFor(action: Action, round: number): CardState {
  if (action.status === 'pending' && round === action.round) {
    return { kind: 'pending', approvals: action.reviews.filter((r) => r.decision === 'approve').map((r) => ({ name: mention(r.reviewer) })) };
  }
  const at = action.decidedAt ?? action.createdAt;
  if (action.status === 'pending') {
    return { kind: 'decided', outcome: 'escalated', at, detail: action.outcomeDetail ?? `escalated to ${action.reviewerGroup}` };
  }
  const deciding = [...action.reviews].reverse().find((r) => (action.status === 'denied' ? r.decision === 'deny' : true));
  switch (action.status) {
    case 'approved':
    case 'denied':
      return {
        kind: 'decided',
        outcome: action.status,
        by: deciding ? action.reviews.filter((r) => r.decision === (action.status === 'approved' ? 'approve' : 'deny')).map((r) => mention(r.reviewer)).join(', ') : undefined,
        at,
        reason: deciding?.reason,
        detail: action.outcomeDetail,
      };
    case 'expired':
      return { kind: 'decided', outcome: action.decision === 'fallback' ? 'fallback' : 'expired', at, detail: action.outcomeDetail };
    default: {
      // A result was reported after the review: show the review outcome.
      const approved = action.reviews.some((r) => r.decision === 'approve') && !action.reviews.some((r) => r.decision === 'deny');
      return { kind: 'decided', outcome: approved ? 'approved' : action.decision === 'fallback' ? 'fallback' : 'expired', at, detail: action.outcomeDetail };
    }
  }
}
