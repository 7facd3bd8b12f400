import type { Action } from '../domain/action.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';

/**
 * Reports work that follows a committed decision and failed (a queue write
 * past its deadline during a Redis outage). The decision stands; what was lost
 * is repaired elsewhere: the reconciler posts missing cards, applies deadlines
 * and re-sends unsettled callbacks, and a click on a stale card re-renders it.
 */
export type FollowUpErrors = (what: string, err: unknown) => void;

/** Runs a follow-up of a committed change; its failure is reported, never thrown at the caller. */
export async function followUp(what: string, task: () => Promise<unknown>, onError: FollowUpErrors = () => undefined): Promise<void> {
  try {
    await task();
  } catch (err) {
    onError(what, err);
  }
}

/** What follows any end of a pending action: cards show it, the agent is called back. */
export async function afterDecision(jobs: ApprovalJobs, action: Action, reason: string, onError?: FollowUpErrors): Promise<void> {
  const ref = { tenant: action.tenant, actionId: action.id };
  await Promise.all([
    followUp(`card update of ${action.id}`, () => jobs.updateCards(ref, reason), onError),
    action.callbackUrl ? followUp(`callback of ${action.id}`, () => jobs.deliverCallback(ref, action.status), onError) : undefined,
  ]);
}

/** Reports how long an action waited from queueing to its end by a review or its deadline. */
export function reportTimeToDecision(metrics: ApprovalMetrics | undefined, action: Action): void {
  if (!metrics || !action.decidedAt) return;
  metrics.decided(action.tenant, action.reviewerGroup, (action.decidedAt.getTime() - action.createdAt.getTime()) / 1000);
}
