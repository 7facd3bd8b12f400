import type { Action, ReviewerIdentity } from '../domain/action.js';
import { message, type Message } from '../domain/message.js';
import type { TenantPolicy } from '../domain/policy-model.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { ChatDirectories, ChatDirectory } from '../ports/chat-platform.js';
import type { ReviewResult } from './record-review.js';

/**
 * An operator decides an approval from a shell, on behalf of a named
 * reviewer (`airlock review approve <id> --as U0LEAD1`), when chat is down
 * or to try the Quickstart. The named reviewer is looked up in the chat
 * directories the action's reviewer group uses, and the decision then goes
 * through recordReview like a click: membership, no self-approval, quorum,
 * overrides and exactly-once all apply, and the review records the operator.
 * A click brings the email its platform verified; here the directory looks it
 * up, and where a rule needs it and it cannot be read the operator is refused
 * rather than the rule skipped. A review refused here, before it reaches
 * recordReview, is counted as refused as recordReview counts its own.
 */
export function makeOperatorReview(deps: {
  actions: ActionStore;
  directories: ChatDirectories;
  recordReview: (cmd: import('./record-review.js').ReviewCommand) => Promise<ReviewResult>;
  metrics?: ApprovalMetrics;
}) {
  return async function operatorReview(
    tenant: TenantPolicy,
    actionId: string,
    input: { as: string; operator: string; decision: 'approve' | 'deny'; reason?: string; argsVersion?: number },
  ): Promise<ReviewResult> {
    const action = await deps.actions.get(tenant.id, actionId);
    if (!action) return refused(tenant, 'unknown_action', message([`No action ${actionId} in tenant ${tenant.id}.`]));
    // An approval binds to the arguments the operator read. Unchanged ones are the
    // agent's own; once a reviewer changed them, the operator names the version read.
    if (input.decision === 'approve' && input.argsVersion === undefined && action.argsVersion > 1) {
      return refused(
        tenant,
        'args_version_needed',
        message([
          `The arguments of ${action.id} were changed by a reviewer (now version ${action.argsVersion}). Read them with \`review show\`, then approve with --args-version ${action.argsVersion}.`,
        ]),
        action,
      );
    }
    const found = await identify(tenant, action, input.as, input.operator);
    if (!found) {
      return refused(tenant, 'not_a_listed_member', message([`${input.as} is not a listed member of the ${action.reviewerGroup ?? 'reviewer'} group on any chat platform of tenant ${tenant.id}.`]), action);
    }
    const { reviewer, directory, member } = found;
    // Someone outside the group is refused (and audited) by recordReview whatever their email.
    const email = member ? await directory.emailOf(reviewer) : undefined;
    const needed = emailNeededFor(tenant, action, input.decision);
    if (email && 'unreadable' in email && needed) {
      return refused(
        tenant,
        'email_unreadable',
        message([
          `Airlock cannot read the email address of ${reviewer.platform} user ${reviewer.userId}, which it needs ${needed}; nothing was recorded. ${email.unreadable}, or let the reviewer decide on the card.`,
        ]),
        action,
      );
    }
    if (email && 'email' in email) reviewer.email = email.email;
    return deps.recordReview({ reviewer, actionId, decision: input.decision, reason: input.reason, argsVersion: input.argsVersion ?? action.argsVersion });
  };

  /** A review refused before it reaches recordReview (which counts its own), counted as refused all the same. */
  function refused(tenant: TenantPolicy, because: string, text: Message, action?: Action): ReviewResult {
    deps.metrics?.review(tenant.id, action?.reviewerGroup, 'refused');
    return { kind: 'refused', because, tenant: tenant.id, message: text, ...(action ? { action } : {}) };
  }

  /**
   * Why this review needs the reviewer's email, if it does: the requester is
   * named by email (no self-approval), or a quorum's approvers may sit on more
   * than one platform, where the same person is two ids but one email.
   */
  function emailNeededFor(tenant: TenantPolicy, action: Action, decision: 'approve' | 'deny'): string | undefined {
    // A decided action changes for no one: recordReview says who decided it.
    if (action.status !== 'pending') return undefined;
    if (action.requester.email) return 'to check they are not the requester';
    const group = action.reviewerGroup ? tenant.reviewerGroups.get(action.reviewerGroup) : undefined;
    const platforms = deps.directories.all().filter((d) => group && d.targets(group)).length;
    if (decision === 'approve' && (action.requiredApprovals ?? 1) > 1 && platforms > 1) return 'to count each person once towards the quorum across chat platforms';
    return undefined;
  }

  /** The reviewer's identity on the first platform of the group where they are a member; otherwise on the first one (recordReview then refuses and audits). */
  async function identify(tenant: TenantPolicy, action: Action, as: string, operator: string): Promise<{ reviewer: ReviewerIdentity; directory: ChatDirectory; member: boolean } | undefined> {
    const group = action.reviewerGroup ? tenant.reviewerGroups.get(action.reviewerGroup) : undefined;
    const candidates: { reviewer: ReviewerIdentity; directory: ChatDirectory; member: false }[] = [];
    for (const d of deps.directories.all()) {
      const workspace = d.workspaceOf(tenant);
      // A group the policy removed has no platforms and no members; recordReview then ends the approval it left behind.
      if (!workspace || (group && !d.targets(group))) continue;
      const reviewer: ReviewerIdentity = { platform: d.name, userId: as.trim(), teamId: workspace, via: { kind: 'cli', operator } };
      if (group && (await d.isMember(group, reviewer))) return { reviewer, directory: d, member: true };
      candidates.push({ reviewer, directory: d, member: false });
    }
    return candidates[0];
  }
}
