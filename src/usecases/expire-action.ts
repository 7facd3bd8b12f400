import type { Action } from '../domain/action.js';
import { actionAuditFields } from '../domain/audit-event.js';
import type { Mode } from '../domain/decision.js';
import type { OverrideEnd } from '../domain/override-coverage.js';
import type { Policy, ReviewerGroup } from '../domain/policy-model.js';
import { withdrawnByPolicy } from '../domain/policy-withdrawal.js';
import { timeoutPlan } from '../domain/timeout-plan.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalJobs, ActionJobRef } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type Tracer } from '../ports/tracer.js';
import { afterDecision, followUp, reportTimeToDecision, type FollowUpErrors } from './approval-effects.js';
import { CARD_GRACE_MS } from './card-timing.js';
import { SPAN, actionAttributes, decisionAttributes, traceOf } from './span-attributes.js';
import { startRound } from './start-round.js';

export type EndCause = { kind: 'timeout' } | { kind: 'undeliverable'; why: string };

type Escalation = { kind: 'escalate'; to: string; group: ReviewerGroup; timeoutMs: number; remindAfterMs: number | undefined };
/** What a deadline does: end an approval the policy withdrew, escalate it, or end it by its rule. */
type Plan = { kind: 'withdrawn'; withdrawn: OverrideEnd } | Escalation | { kind: 'end'; fallback: Mode | undefined };

const whyEnded = (cause: EndCause) => (cause.kind === 'timeout' ? 'no decision before the deadline' : `the card could not be delivered (${cause.why})`);

/**
 * Applies the tool's `on_timeout` rule to a pending action of the given round:
 * `deny` and `fallback` end it as `expired` (never `denied`), `escalate` moves
 * it once to `escalate_to` with a fresh deadline. An undeliverable card ends
 * the action by the same rule at once. Each end or escalation is a span in
 * the action's trace.
 */
export function makeExpireAction(deps: {
  actions: ActionStore;
  policy: PolicySource;
  clock: Clock;
  jobs: ApprovalJobs;
  platforms: ChatPlatforms;
  onFollowUpError?: FollowUpErrors;
  metrics?: ApprovalMetrics;
  tracer?: Tracer;
}) {
  const tracer = deps.tracer ?? noTracing;
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
    const plan = planFor(policy, action);
    // A span in the action's trace, under its intake span: the deadline falls in the worker, long after.
    const attributes = {
      ...actionAttributes(action),
      'airlock.approval.round': action.round,
      'airlock.timeout.cause': cause.kind === 'timeout' ? 'deadline' : 'undeliverable',
    };
    if (plan.kind === 'escalate') {
      return tracer.span(SPAN.escalation, { parent: traceOf(action), attributes: { ...attributes, 'airlock.escalation.to': plan.to } }, async (span) => {
        const escalated = await escalate(action, cause, plan, now);
        span.set({ ...(escalated ? decisionAttributes(escalated) : {}), 'airlock.timeout.outcome': escalated ? 'escalated' : 'already_ended' });
        return escalated;
      });
    }
    return tracer.span(SPAN.timeout, { parent: traceOf(action), attributes }, async (span) => {
      const ended = plan.kind === 'withdrawn' ? await endWithdrawn(action, ref, plan.withdrawn, now) : await end(action, ref, cause, plan.fallback, now);
      const outcome = plan.kind === 'withdrawn' ? 'withdrawn' : 'ended';
      span.set({ ...(ended ? decisionAttributes(ended) : {}), 'airlock.timeout.outcome': ended ? outcome : 'already_ended' });
      return ended;
    });
  };

  /** What the deadline does to this action under the live policy. */
  function planFor(policy: Policy, action: Action): Plan {
    // A deadline never grants what the policy took away: no fallback mode to run, no escalation to decide it.
    const withdrawn = withdrawnByPolicy(policy, action);
    if (withdrawn) return { kind: 'withdrawn', withdrawn };
    const tool = policy.tools.get(action.tool);
    const approval = tool?.approval;
    const groups = policy.tenants.get(action.tenant)?.reviewerGroups;
    const plan = timeoutPlan(tool, action.round, (name) => groups?.has(name) ?? false);
    const group = plan.kind === 'escalate' ? groups?.get(plan.to) : undefined;
    if (plan.kind === 'escalate' && approval && group) return { kind: 'escalate', to: plan.to, group, timeoutMs: approval.timeoutMs, remindAfterMs: approval.remindAfterMs };
    return { kind: 'end', fallback: plan.kind === 'fallback' ? plan.mode : undefined };
  }

  async function endWithdrawn(action: Action, ref: ActionJobRef, withdrawn: OverrideEnd, now: Date): Promise<Action | undefined> {
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

  async function escalate(action: Action, cause: EndCause, plan: Escalation, now: Date): Promise<Action | undefined> {
    const why = whyEnded(cause);
    const { to: escalateTo, timeoutMs, remindAfterMs } = plan;
    const escalated = await deps.actions.escalate(
      action.tenant,
      action.id,
      0,
      {
        reviewerGroup: escalateTo,
        expiresAt: new Date(now.getTime() + timeoutMs),
        remindAt: remindAfterMs !== undefined ? new Date(now.getTime() + remindAfterMs) : undefined,
        detail: `${why}; escalated to ${escalateTo}`,
        cardPlatforms: deps.platforms.targetsOf(plan.group),
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

  async function end(action: Action, ref: ActionJobRef, cause: EndCause, fallback: Mode | undefined, now: Date): Promise<Action | undefined> {
    const why = whyEnded(cause);
    const kind = cause.kind === 'timeout' ? 'expired' : 'card_failed';
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
  }
}
