import type { Action } from '../domain/action.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';

/** What follows any end of a pending action: cards show it, the agent is called back. */
export async function afterDecision(jobs: ApprovalJobs, action: Action, reason: string): Promise<void> {
  await jobs.updateCards({ tenant: action.tenant, actionId: action.id }, reason);
  if (action.callbackUrl) await jobs.deliverCallback({ tenant: action.tenant, actionId: action.id }, action.status);
}

/** Reviewer group of a card round: the tool's reviewers, then its escalation group. */
export const groupForRound = (approval: { reviewers: string; escalateTo?: string } | undefined, fallback: string | undefined, round: number) =>
  (round === 0 ? approval?.reviewers : approval?.escalateTo) ?? fallback;
