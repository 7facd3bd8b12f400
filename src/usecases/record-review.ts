import { consequenceScope, renderConsequence } from '../domain/render-consequence.js';
import { currentArgs, sameIdentity, type Action, type ReviewerIdentity } from '../domain/action.js';
import type { ArgsDigests } from '../domain/args-digest.js';
import { applyEdits, type ArgsEdit } from '../domain/args-edit.js';
import { actionAuditFields, reviewerAuditFields, type AuditEvent } from '../domain/audit-event.js';
import { personOf } from '../domain/card-state.js';
import { unavailable } from '../domain/errors.js';
import { evaluatePolicy } from '../domain/evaluate-policy.js';
import { message, type Inline, type Message } from '../domain/message.js';
import { overrideEnd, type OverrideEnd } from '../domain/override-coverage.js';
import { pathsOverlap } from '../domain/paths.js';
import { withdrawnByPolicy } from '../domain/policy-withdrawal.js';
import type { ReviewRefusal } from '../domain/review-refusal.js';
import { policyVersion, type Policy, type TenantOverrides, type TenantPolicy } from '../domain/policy-model.js';
import type { ActionStore, ReviewEdit } from '../ports/action-store.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { ChatDirectories, ChatDirectory } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { OverridesStore } from '../ports/overrides-store.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type SpanAttributes, type Tracer } from '../ports/tracer.js';
import { afterDecision, followUp, reportTimeToDecision, type FollowUpErrors } from './approval-effects.js';
import { SPAN, actionAttributes, traceOf } from './span-attributes.js';

export interface ReviewCommand {
  reviewer: ReviewerIdentity;
  actionId: string;
  decision: 'approve' | 'deny';
  reason?: string;
  /**
   * The version of the arguments the reviewer was shown (the card's or the
   * form's). An approval counts only for that version: if the arguments
   * changed since, the reviewer is asked to look again.
   */
  argsVersion: number;
  /** Raw text per editable argument path, as typed in the "Approve with changes" form. */
  edits?: Record<string, string>;
}

/**
 * A refusal says why in `because`, a stable code (the audit trail's
 * `refused_because`), and carries the action and tenant when they were found,
 * so the caller can log it without asking the store again.
 */
export type ReviewResult =
  | { kind: 'accepted'; action: Action; decided: boolean }
  | { kind: 'refused'; message: Message; because: string; tenant?: string; action?: Action }
  | { kind: 'already_decided'; action: Action; message: Message };

/** What a click came to: its outcome, the action's status after it, and for a refusal its stable code. */
const reviewOutcomeAttributes = (r: ReviewResult): SpanAttributes => ({
  'airlock.review.outcome': r.kind,
  'airlock.action.status': r.action?.status,
  'airlock.review.refused_because': r.kind === 'refused' ? r.because : undefined,
});

const MAX_REASON = 2000;
const UNKNOWN_ACTION = message(['This action does not exist in your workspace’s tenant.']);
const MAX_STALE_RETRIES = 5;

/**
 * A reviewer clicked Approve or Deny. Accepted only from a member of the
 * action's reviewer group, in the action's tenant, who is not the requester;
 * every refusal is audited and answered with a message for the clicker. The
 * deciding statement re-checks the tenant's overrides version and the
 * argument version the reviewer saw, so an admin override that is in force
 * always wins, and an approval is bound to the arguments it was given for.
 */
export function makeRecordReview(deps: {
  actions: ActionStore;
  overrides: OverridesStore;
  audit: AuditLog;
  policy: PolicySource;
  platforms: ChatDirectories;
  clock: Clock;
  jobs: ApprovalJobs;
  digests: ArgsDigests;
  onAudited?: (tenant: string) => void;
  onFollowUpError?: FollowUpErrors;
  metrics?: ApprovalMetrics;
  /** Each click on an action is a span in the action's trace. */
  tracer?: Tracer;
}) {
  const tracer = deps.tracer ?? noTracing;
  const refuse = async (tenant: string, action: Action | undefined, cmd: ReviewCommand, why: ReviewRefusal, text: Message): Promise<ReviewResult> => {
    const event: AuditEvent = {
      tenant,
      kind: 'review_refused',
      actionId: action?.id,
      at: deps.clock.now(),
      data: { ...(action ? actionAuditFields(action) : { request_id: cmd.actionId }), reviewer: reviewerAuditFields(cmd.reviewer), attempted: cmd.decision, refused_because: why },
    };
    await deps.audit.append(event);
    deps.onAudited?.(tenant);
    deps.metrics?.review(tenant, action?.reviewerGroup, 'refused');
    return { kind: 'refused', message: text, because: why, tenant, ...(action ? { action } : {}) };
  };

  return async function recordReview(cmd: ReviewCommand): Promise<ReviewResult> {
    const policy = deps.policy.current();
    const platform = deps.platforms.get(cmd.reviewer.platform);
    const tenant = platform?.tenantOf(policy, cmd.reviewer.teamId);
    if (!platform || !tenant) {
      deps.metrics?.review(undefined, undefined, 'refused');
      return { kind: 'refused', message: message(['This workspace is not connected to any Airlock tenant.']), because: 'workspace_not_connected' };
    }
    const first = await deps.actions.get(tenant.id, cmd.actionId);
    if (!first) return refuse(tenant.id, undefined, cmd, 'unknown_action', UNKNOWN_ACTION);
    // A span in the action's trace, under its intake span: the click may come hours later, in another process.
    const attributes = { ...actionAttributes(first), 'airlock.review.decision': cmd.decision, 'airlock.reviewer.platform': cmd.reviewer.platform };
    return tracer.span(SPAN.review, { parent: traceOf(first), attributes }, async (span) => {
      const result = await review(cmd, policy, platform, tenant, first);
      span.set(reviewOutcomeAttributes(result));
      return result;
    });
  };

  async function review(cmd: ReviewCommand, policy: Policy, platform: ChatDirectory, tenant: TenantPolicy, first: Action): Promise<ReviewResult> {
    for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt++) {
      const action = attempt === 0 ? first : await deps.actions.get(tenant.id, cmd.actionId);
      if (!action) return refuse(tenant.id, undefined, cmd, 'unknown_action', UNKNOWN_ACTION);
      if (action.status !== 'pending') return alreadyDecided(tenant.id, action, cmd);

      // Before membership: a reviewer group the policy removed has no members left to refuse with.
      const withdrawn = withdrawnByPolicy(policy, action);
      if (withdrawn) {
        await endStillPending(policy, await deps.overrides.get(tenant.id), action, withdrawn);
        return refuse(tenant.id, action, cmd, 'not_permitted_by_policy', message([`The policy no longer permits this action: ${withdrawn.detail}.`]));
      }
      const group = action.reviewerGroup ? tenant.reviewerGroups.get(action.reviewerGroup) : undefined;
      if (!group || !(await platform.isMember(group, cmd.reviewer))) {
        return refuse(tenant.id, action, cmd, 'not_in_reviewer_group', message([`Only members of the ${action.reviewerGroup ?? 'reviewer'} group can decide this action.`]));
      }
      if (sameIdentity(cmd.reviewer.userId, action.requester.id) || sameIdentity(cmd.reviewer.email, action.requester.email)) {
        return refuse(tenant.id, action, cmd, 'reviewer_is_requester', message(['You requested this action, so someone else has to decide it.']));
      }
      const reason = cmd.reason?.trim().slice(0, MAX_REASON) || undefined;
      if (cmd.decision === 'deny' && !reason) return refuse(tenant.id, action, cmd, 'deny_without_reason', message(['A reason is required to deny.']));

      const overrides = await deps.overrides.get(tenant.id);
      const overridden = overrideEnd(policy, overrides, action);
      if (overridden) {
        await endStillPending(policy, overrides, action, overridden);
        return refuse(tenant.id, action, cmd, 'overridden_by_admin', message([`An admin override ended this action before your click counted: ${overridden.detail}.`]));
      }
      if (cmd.decision === 'approve' && cmd.argsVersion !== action.argsVersion) return argsChanged(tenant.id, action, cmd);

      let edit: ReviewEdit | undefined;
      if (cmd.edits && Object.keys(cmd.edits).length > 0) {
        if (cmd.decision !== 'approve') return refuse(tenant.id, action, cmd, 'edits_on_deny', message(['Changes can only come with an approval.']));
        const prepared = prepareEdit(policy, overrides, action, cmd);
        if ('error' in prepared) return refuse(tenant.id, action, cmd, 'invalid_edit', message([prepared.error]));
        edit = prepared.edit;
      }

      const at = deps.clock.now();
      const outcome = await deps.actions.applyReview({
        tenant: tenant.id,
        actionId: action.id,
        reviewer: cmd.reviewer,
        decision: cmd.decision,
        reason,
        round: action.round,
        argsVersion: action.argsVersion,
        argsSha256: edit?.argsSha256 ?? action.argsSha256,
        overridesVersion: overrides.version,
        edit,
        at,
        audit: (a) => ({
          tenant: a.tenant,
          kind: 'review',
          actionId: a.id,
          at,
          data: actionAuditFields(a, {
            reviewer: reviewerAuditFields(cmd.reviewer),
            review_decision: cmd.decision,
            reason: reason ?? null,
            final_decision: a.status,
            args_version: a.argsVersion,
            ...(edit ? { args_edit: { version: edit.record.version, changes: edit.record.changes }, approved_args: edit.args } : {}),
          }),
        }),
      });
      switch (outcome.kind) {
        case 'stale_overrides':
          deps.overrides.invalidate(tenant.id);
          continue;
        case 'decided':
          deps.onAudited?.(tenant.id);
          deps.metrics?.review(tenant.id, outcome.action.reviewerGroup, outcome.action.status === 'approved' ? 'approved' : 'denied');
          reportTimeToDecision(deps.metrics, outcome.action);
          await afterDecision(deps.jobs, outcome.action, 'reviewed', deps.onFollowUpError);
          return { kind: 'accepted', action: outcome.action, decided: true };
        case 'counted':
          deps.onAudited?.(tenant.id);
          deps.metrics?.review(tenant.id, outcome.action.reviewerGroup, 'counted');
          await followUp(`card update of ${action.id}`, () => deps.jobs.updateCards({ tenant: tenant.id, actionId: action.id }, edit ? 'arguments changed' : 'approval counted'), deps.onFollowUpError);
          return { kind: 'accepted', action: outcome.action, decided: false };
        case 'args_changed':
          return argsChanged(tenant.id, outcome.action, cmd);
        case 'already_reviewed':
          return refuse(tenant.id, outcome.action, cmd, 'already_approved', message([`You already approved this version of the arguments; it needs ${outcome.action.requiredApprovals ?? 1} distinct approvers.`]));
        case 'not_pending':
          return alreadyDecided(tenant.id, outcome.action, cmd);
        case 'not_found':
          return refuse(tenant.id, undefined, cmd, 'unknown_action', UNKNOWN_ACTION);
      }
    }
    throw unavailable('policy overrides kept changing while deciding the review; retry');
  }

  /**
   * An override or the current policy ends the action, but it is still
   * pending (the bulk end of the admin change or of the reload raced it, or
   * another process reloaded the policy first): end it now.
   */
  async function endStillPending(policy: Policy, overrides: TenantOverrides, action: Action, end: OverrideEnd) {
    const at = deps.clock.now();
    const ended = await deps.actions.endPending(
      action.tenant,
      action.id,
      'any',
      { status: end.status, decision: end.decision, mode: end.mode, detail: end.detail, rule: end.rule, policyVersion: policyVersion(policy, overrides), at },
      (a) => ({ tenant: a.tenant, kind: 'admin_change', actionId: a.id, at, data: actionAuditFields(a, { cause: end.rule, final_decision: a.decision, reviewer: null }) }),
    );
    if (ended) {
      deps.onAudited?.(action.tenant);
      await afterDecision(deps.jobs, ended, end.rule, deps.onFollowUpError);
    }
  }

  function prepareEdit(policy: Policy, overrides: TenantOverrides, action: Action, cmd: ReviewCommand): { edit: ReviewEdit } | { error: string } {
    const tool = policy.tools.get(action.tool);
    const redact = [...new Set([...action.redact, ...(tool?.redact ?? [])])];
    const applied = applyEdits(currentArgs(action), cmd.edits ?? {}, { editable: tool?.approval?.editable ?? [], redact });
    if ('error' in applied) return applied;
    if (applied.changes.length === 0) return { error: 'Nothing was changed; use Approve to approve the arguments as they are.' };
    // Redacted values are masked in the stored arguments; the schema cannot judge them, and edits never touch them.
    const issues = (tool?.checkArgs?.(applied.args) ?? []).filter((i) => !redact.some((r) => pathsOverlap(r, i.path)));
    if (issues.length > 0) return { error: `The changed arguments do not match the tool's schema: ${issues.map((i) => `${i.path || '(arguments)'} ${i.message}`).join('; ')}.` };
    const decided = evaluatePolicy({
      policy,
      overrides,
      request: {
        tenant: action.tenant,
        agent: action.agent,
        tool: action.tool,
        args: applied.args,
        context: action.context,
        requester: { ...action.requester },
        workflow: action.workflow ?? '',
        environment: action.environment,
        sessionId: action.sessionId,
      },
    });
    if (decided.decision !== 'queue_for_approval' && decided.decision !== 'allow') {
      return { error: `The policy does not allow these arguments (${decided.decision}): ${decided.reasons.at(-1) ?? decided.rule}.` };
    }
    const record: ArgsEdit = { version: action.argsVersion + 1, by: cmd.reviewer, at: deps.clock.now(), changes: applied.changes };
    // The card and the audit trail describe the arguments that will run, not the ones first asked for.
    const consequence = renderConsequence(tool?.consequence, consequenceScope({ ...action, args: applied.args }));
    return { edit: { args: applied.args, argsSha256: deps.digests.binding(action.submittedArgsDigest, applied.args), record, ...(consequence ? { consequence } : {}) } };
  }

  function argsChanged(tenant: string, action: Action, cmd: ReviewCommand): Promise<ReviewResult> {
    const last = action.argsEdits.at(-1);
    const by: Inline[] = last ? [' by ', { person: personOf(last.by) }] : [];
    return refuse(tenant, action, cmd, 'args_changed', message([
      `The arguments changed since you looked (now version ${action.argsVersion}`, ...by, '). Review the updated card and decide again.',
    ]));
  }

  async function alreadyDecided(tenant: string, action: Action, cmd: ReviewCommand): Promise<ReviewResult> {
    const deciders = action.reviews.filter((r) => (action.status === 'approved' ? r.decision === 'approve' && r.argsVersion === action.argsVersion && r.round === action.round : r.decision === 'deny'));
    const by: Inline[] = deciders.length > 0 ? [' by ', ...deciders.flatMap((d, i): Inline[] => [...(i > 0 ? [', '] : []), { person: personOf(d.reviewer) }])] : [];
    const text = message([`Too late: this action was already ${action.status}`, ...by, '.']);
    await refuse(tenant, action, cmd, 'already_decided', text);
    // The card the reviewer clicked still had buttons: its update may have been lost. Render it again.
    await followUp(`card update of ${action.id}`, () => deps.jobs.updateCards({ tenant, actionId: action.id }, 'clicked after the decision'), deps.onFollowUpError);
    return { kind: 'already_decided', action, message: text };
  }
}
