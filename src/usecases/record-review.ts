import type { Action, ReviewerIdentity } from '../domain/action.js';
import { actionAuditFields, reviewerAuditFields, type AuditEvent } from '../domain/audit-event.js';
import { argsSha256 } from '../domain/canonical-json.js';
import { parsePath } from '../domain/paths.js';
import type { Policy, TenantPolicy } from '../domain/policy-model.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ReviewerDirectory } from '../ports/approval-notifier.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { afterDecision } from './approval-effects.js';

export interface ReviewCommand {
  reviewer: ReviewerIdentity;
  actionId: string;
  decision: 'approve' | 'deny';
  reason?: string;
  /** Raw text per editable argument path, as typed in the "Approve with changes" form. */
  edits?: Record<string, string>;
}

export type ReviewResult =
  | { kind: 'accepted'; action: Action; decided: boolean }
  | { kind: 'refused'; message: string }
  | { kind: 'already_decided'; action: Action; message: string };

const MAX_REASON = 2000;

/** The tenant a chat workspace belongs to; never taken from the payload's claims about itself. */
export function tenantForWorkspace(policy: Policy, platform: ReviewerIdentity['platform'], teamId: string): TenantPolicy | undefined {
  return Object.values(policy.tenants).find((t) => (platform === 'slack' ? t.slackTeamId === teamId : t.teamsTenantId === teamId));
}

const who = (r: ReviewerIdentity) => (r.platform === 'slack' ? `<@${r.userId}>` : (r.name ?? r.userId));

/**
 * A reviewer clicked Approve or Deny. Accepted only from a member of the
 * action's reviewer group, in the action's tenant, who is not the requester;
 * every refusal is audited and answered with a message for the clicker.
 */
export function makeRecordReview(deps: {
  actions: ActionStore;
  audit: AuditLog;
  policy: PolicySource;
  directory: (platform: ReviewerIdentity['platform']) => ReviewerDirectory | undefined;
  clock: Clock;
  jobs: ApprovalJobs;
  onAudited?: (tenant: string) => void;
}) {
  const refuse = async (tenant: string, action: Action | undefined, cmd: ReviewCommand, why: string, message: string): Promise<ReviewResult> => {
    const event: AuditEvent = {
      tenant,
      kind: 'review_refused',
      actionId: action?.id,
      at: deps.clock.now(),
      data: { ...(action ? actionAuditFields(action) : { request_id: cmd.actionId }), reviewer: reviewerAuditFields(cmd.reviewer), attempted: cmd.decision, refused_because: why },
    };
    await deps.audit.append(event);
    deps.onAudited?.(tenant);
    return { kind: 'refused', message };
  };

  return async function recordReview(cmd: ReviewCommand): Promise<ReviewResult> {
    const policy = deps.policy.current();
    const tenant = tenantForWorkspace(policy, cmd.reviewer.platform, cmd.reviewer.teamId);
    if (!tenant) return { kind: 'refused', message: 'This workspace is not connected to any Airlock tenant.' };
    const action = await deps.actions.get(tenant.id, cmd.actionId);
    if (!action) return refuse(tenant.id, undefined, cmd, 'unknown_action', 'This action does not exist in your workspace’s tenant.');
    if (action.status !== 'pending') return alreadyDecided(tenant.id, action, cmd);

    const group = action.reviewerGroup ? tenant.reviewerGroups[action.reviewerGroup] : undefined;
    if (!group || !(await isMember(group, cmd.reviewer))) {
      return refuse(tenant.id, action, cmd, 'not_in_reviewer_group', `Only members of the ${action.reviewerGroup ?? 'reviewer'} group can decide this action.`);
    }
    const email = cmd.reviewer.email?.toLowerCase();
    if (cmd.reviewer.userId === action.requester.id || (email && email === action.requester.email?.toLowerCase())) {
      return refuse(tenant.id, action, cmd, 'reviewer_is_requester', 'You requested this action, so someone else has to decide it.');
    }
    const reason = cmd.reason?.trim().slice(0, MAX_REASON) || undefined;
    if (cmd.decision === 'deny' && !reason) return refuse(tenant.id, action, cmd, 'deny_without_reason', 'A reason is required to deny.');

    let approvedArgs: Record<string, unknown> | undefined;
    if (cmd.edits && Object.keys(cmd.edits).length > 0) {
      if (cmd.decision !== 'approve') return refuse(tenant.id, action, cmd, 'edits_on_deny', 'Changes can only come with an approval.');
      const editable = policy.tools[action.tool]?.approval?.editable ?? [];
      const applied = applyEdits(action.approvedArgs ?? action.args, cmd.edits, editable);
      if ('error' in applied) return refuse(tenant.id, action, cmd, 'invalid_edit', applied.error);
      approvedArgs = applied.args;
    }

    const at = deps.clock.now();
    const outcome = await deps.actions.applyReview({
      tenant: tenant.id,
      actionId: action.id,
      reviewer: cmd.reviewer,
      decision: cmd.decision,
      reason,
      approvedArgs,
      approvedArgsSha256: approvedArgs ? argsSha256(approvedArgs) : undefined,
      at,
      audit: (a) => ({
        tenant: a.tenant,
        kind: 'review',
        actionId: a.id,
        at,
        data: { ...actionAuditFields(a), reviewer: reviewerAuditFields(cmd.reviewer), review_decision: cmd.decision, reason: reason ?? null, final_decision: a.status, approved_args: a.approvedArgs ?? null },
      }),
    });
    deps.onAudited?.(tenant.id);
    switch (outcome.kind) {
      case 'decided':
        await afterDecision(deps.jobs, outcome.action, 'reviewed');
        return { kind: 'accepted', action: outcome.action, decided: true };
      case 'counted':
        await deps.jobs.updateCards({ tenant: tenant.id, actionId: action.id }, 'approval counted');
        return { kind: 'accepted', action: outcome.action, decided: false };
      case 'already_reviewed':
        return refuse(tenant.id, outcome.action, cmd, 'already_approved', `You already approved this action; it needs ${outcome.action.requiredApprovals ?? 1} distinct approvers.`);
      case 'not_pending':
        return alreadyDecided(tenant.id, outcome.action, cmd);
      case 'not_found':
        return refuse(tenant.id, undefined, cmd, 'unknown_action', 'This action does not exist in your workspace’s tenant.');
    }
  };

  async function isMember(group: NonNullable<TenantPolicy['reviewerGroups'][string]>, r: ReviewerIdentity): Promise<boolean> {
    if (r.platform === 'slack') {
      if (!group.slack) return false;
      if (group.slack.users.includes(r.userId)) return true;
      if (!group.slack.usergroup) return false;
      const directory = deps.directory('slack');
      return directory ? (await directory.usergroupMembers(group.slack.usergroup)).includes(r.userId) : false;
    }
    return group.teams?.users.includes(r.userId) ?? false;
  }

  async function alreadyDecided(tenant: string, action: Action, cmd: ReviewCommand): Promise<ReviewResult> {
    const deciders = action.reviews.filter((r) => (action.status === 'approved' ? r.decision === 'approve' : r.decision === 'deny'));
    const by = deciders.length > 0 ? ` by ${deciders.map((d) => who(d.reviewer)).join(', ')}` : '';
    const message = `Too late: this action was already ${action.status}${by}.`;
    await refuse(tenant, action, cmd, 'already_decided', message);
    // The card the reviewer clicked still had buttons: its update may have been lost. Render it again.
    await deps.jobs.updateCards({ tenant, actionId: action.id }, 'clicked after the decision');
    return { kind: 'already_decided', action, message };
  }
}

/** Applies typed edits to the editable paths only; values that were JSON stay JSON. */
function applyEdits(args: Record<string, unknown>, edits: Record<string, string>, editable: string[]): { args: Record<string, unknown> } | { error: string } {
  const out = structuredClone(args);
  for (const [path, raw] of Object.entries(edits)) {
    if (!editable.includes(path)) return { error: `${path} is not editable for this tool.` };
    const segs = parsePath(path);
    let node: Record<string, unknown> = out;
    for (const seg of segs.slice(0, -1)) {
      const next = node[seg];
      if (next === null || typeof next !== 'object') return { error: `${path} does not exist in the arguments.` };
      node = next as Record<string, unknown>;
    }
    const last = segs[segs.length - 1]!;
    const current = node[last];
    if (typeof current === 'string' || current === undefined) {
      node[last] = raw;
    } else {
      try {
        node[last] = JSON.parse(raw);
      } catch {
        return { error: `${path} must be valid JSON (it was ${JSON.stringify(current).slice(0, 50)}).` };
      }
    }
  }
  return { args: out };
}
