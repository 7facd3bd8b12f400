import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';

/** A committed pending action gets a card job per chat platform that owes one, its deadline and its reminder. */
export function makeApprovalDispatcher(jobs: ApprovalJobs): ApprovalDispatcher {
  return {
    async actionQueued(action) {
      await jobs.startRound({ tenant: action.tenant, actionId: action.id, round: action.round }, { expiresAt: action.expiresAt, remindAt: action.remindAt }, action.cardPlatforms);
    },
  };
}
