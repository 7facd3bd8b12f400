import type { Action } from '../domain/action.js';
import { actionAuditFields } from '../domain/audit-event.js';
import { withdrawnByPolicy } from '../domain/policy-withdrawal.js';
import { timeoutPlan } from '../domain/timeout-plan.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalJobs, ActionJobRef } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { afterDecision, followUp, reportTimeToDecision, type FollowUpErrors } from './approval-effects.js';
import { CARD_GRACE_MS } from './card-timing.js';
import { startRound } from './start-round.js';

export type EndCause = { kind: 'timeout' } | { kind: 'undeliverable'; why: string };

/**
 * Applies the tool's `on_timeout` rule to a pending action of the given round:
 * `deny` and `fallback` end it as `expired` (never `denied`), `escalate` moves
 * it once to `escalate_to` with a fresh deadline. An undeliverable card ends
 * the action by the same rule at once.
 */
export function makeExpireAction(deps: { actions: ActionStore; policy: PolicySource; clock: Clock; jobs: ApprovalJobs; platforms: ChatPlatforms; onFollowUpError?: FollowUpErrors; metrics?: ApprovalMetrics }) {
  return async function expireAction(ref: ActionJobRef, cause: EndCause): Promise<Action | undefined> {
    const action = await deps.actions.get(ref.tenant, ref.actionId);
    if (!action || action.status !== 'pending' || action.round !== ref.round) return undefined;
    const now = deps.clock.now();
    if (cause.kind === 'timeout' && action.expiresAt && action.expiresAt.getTime() > now.getTime()) {
      // Fired early (rescheduled deadline, clock drift): wait for the real one.
      await deps.jobs.scheduleExpiry(ref, action.expiresAt);
      return undefined;
    }
    const policy = deps.policy.current();
    // A deadline never grants what the policy took away: no fallback mode to run, no escalation to decide it.
    const withdrawn = withdrawnByPolicy(policy, action);
    if (withdrawn) {
      const ended = await deps.actions.endPending(
        action.tenant,
        action.id,
        ref.round,
        { status: withdrawn.status, decision: withdrawn.decision, mode: withdrawn.mode, detail: withdrawn.detail, rule: withdrawn.rule, at: now },
        (a) => ({ tenant: a.tenant, kind: 'admin_change', actionId: a.id, at: now, data: actionAuditFields(a, { cause: withdrawn.rule, final_decision: a.decision, reviewer: null }) }),
      );
      if (ended) await afterDecision(deps.jobs, ended, 'policy reload', deps.onFollowUpError);
      return ended;
    }
    const tool = policy.tools.get(action.tool);
    const approval = tool?.approval;
    const why = cause.kind === 'timeout' ? 'no decision before the deadline' : `the card could not be delivered (${cause.why})`;
    const kind = cause.kind === 'timeout' ? 'expired' : 'card_failed';

    const groups = policy.tenants.get(action.tenant)?.reviewerGroups;
    const plan = timeoutPlan(tool, action.round, (name) => groups?.has(name) ?? false);
    const escalationGroup = plan.kind === 'escalate' ? groups?.get(plan.to) : undefined;
    if (plan.kind === 'escalate' && approval && escalationGroup) {
      const escalateTo = plan.to;
      const escalated = await deps.actions.escalate(
        action.tenant,
        action.id,
        0,
        {
          reviewerGroup: escalateTo,
          expiresAt: new Date(now.getTime() + approval.timeoutMs),
          remindAt: approval.remindAfterMs !== undefined ? new Date(now.getTime() + approval.remindAfterMs) : undefined,
          detail: `${why}; escalated to ${escalateTo}`,
          cardPlatforms: deps.platforms.targetsOf(escalationGroup),
          cardsDueAt: new Date(now.getTime() + CARD_GRACE_MS),
        },
        (a) => ({ tenant: a.tenant, kind: 'escalated', actionId: a.id, at: now, data: actionAuditFields(a, { cause: why, escalated_to: escalateTo }) }),
      );
      if (escalated) {
        // Lost writes here are repaired by the reconciler (card of the new round, its deadline).
        await followUp(
          `escalation round of ${escalated.id}`,
          () => startRound(escalated, deps),
          deps.onFollowUpError,
        );
        await followUp(`card update of ${escalated.id}`, () => deps.jobs.updateCards({ tenant: escalated.tenant, actionId: escalated.id }, 'escalated'), deps.onFollowUpError);
      }
      return escalated;
    }

    const fallback = plan.kind === 'fallback' ? plan.mode : undefined;
    const ended = await deps.actions.endPending(
      action.tenant,
      action.id,
      ref.round,
      {
        status: 'expired',
        decision: fallback ? 'fallback' : 'deny',
        mode: fallback ?? 'off',
        detail: fallback ? `${why}; fell back to ${fallback}` : `${why}; denied`,
        at: now,
      },
      (a) => ({ tenant: a.tenant, kind, actionId: a.id, at: now, data: actionAuditFields(a, { cause: why, final_decision: a.decision, reviewer: null }) }),
    );
    if (ended) {
      reportTimeToDecision(deps.metrics, ended);
      await afterDecision(deps.jobs, ended, kind, deps.onFollowUpError);
    }
    return ended;
  };
}
