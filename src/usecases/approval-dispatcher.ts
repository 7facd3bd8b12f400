import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';

/** A committed pending action gets its card job, its deadline and its reminder. */
export function makeApprovalDispatcher(jobs: ApprovalJobs): ApprovalDispatcher {
  return {
    async actionQueued(action) {
      const ref = { tenant: action.tenant, actionId: action.id, round: action.round };
      // Independent jobs, enqueued together: the card does not wait behind the timers.
      await Promise.all([
        jobs.postCard(ref),
        action.expiresAt ? jobs.scheduleExpiry(ref, action.expiresAt) : undefined,
        action.remindAt ? jobs.scheduleReminder(ref, action.remindAt) : undefined,
      ]);
    },
  };
}
