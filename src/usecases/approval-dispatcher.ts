import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';

/** A committed pending action gets its card job, its deadline and its reminder. */
export function makeApprovalDispatcher(jobs: ApprovalJobs): ApprovalDispatcher {
  return {
    async actionQueued(action) {
      const ref = { tenant: action.tenant, actionId: action.id, round: action.round };
      await jobs.postCard(ref);
      if (action.expiresAt) await jobs.scheduleExpiry(ref, action.expiresAt);
      if (action.remindAt) await jobs.scheduleReminder(ref, action.remindAt);
    },
  };
}
