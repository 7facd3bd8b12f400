import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import { startRound, type StartRoundDeps } from './start-round.js';

/** A committed pending action gets a card job per chat platform that owes one, its deadline and its reminder. */
export function makeApprovalDispatcher(deps: StartRoundDeps): ApprovalDispatcher {
  return {
    actionQueued: (action) => startRound(action, deps),
  };
}
