import type { Action, ReviewerIdentity } from '../domain/action.js';
import { message } from '../domain/message.js';
import type { TenantPolicy } from '../domain/policy-model.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ChatDirectories } from '../ports/chat-platform.js';
import type { ReviewResult } from './record-review.js';

/**
 * An operator decides an approval from a shell, on behalf of a named
 * reviewer (`airlock review approve <id> --as U0LEAD1`), when chat is down
 * or to try the Quickstart. The named reviewer is looked up in the chat
 * directories the action's reviewer group uses, and the decision then goes
 * through recordReview like a click: membership, no self-approval, quorum,
 * overrides and exactly-once all apply, and the review records the operator.
 */
export function makeOperatorReview(deps: {
  actions: ActionStore;
  directories: ChatDirectories;
  recordReview: (cmd: import('./record-review.js').ReviewCommand) => Promise<ReviewResult>;
}) {
  return async function operatorReview(
    tenant: TenantPolicy,
    actionId: string,
    input: { as: string; operator: string; decision: 'approve' | 'deny'; reason?: string; argsVersion?: number },
  ): Promise<ReviewResult> {
    const action = await deps.actions.get(tenant.id, actionId);
    if (!action) return { kind: 'refused', message: message([`No action ${actionId} in tenant ${tenant.id}.`]) };
    // An approval binds to the arguments the operator read. Unchanged ones are the
    // agent's own; once a reviewer changed them, the operator names the version read.
    if (input.decision === 'approve' && input.argsVersion === undefined && action.argsVersion > 1) {
      return {
        kind: 'refused',
        message: message([
          `The arguments of ${action.id} were changed by a reviewer (now version ${action.argsVersion}). Read them with \`review show\`, then approve with --args-version ${action.argsVersion}.`,
        ]),
      };
    }
    const reviewer = await identify(tenant, action, input.as, input.operator);
    if (!reviewer) {
      return { kind: 'refused', message: message([`${input.as} is not a listed member of the ${action.reviewerGroup ?? 'reviewer'} group on any chat platform of tenant ${tenant.id}.`]) };
    }
    return deps.recordReview({ reviewer, actionId, decision: input.decision, reason: input.reason, argsVersion: input.argsVersion ?? action.argsVersion });
  };

  /** The reviewer's identity on the first platform of the group where they are a member; otherwise on the first one (recordReview then refuses and audits). */
  async function identify(tenant: TenantPolicy, action: Action, as: string, operator: string): Promise<ReviewerIdentity | undefined> {
    const group = action.reviewerGroup ? tenant.reviewerGroups.get(action.reviewerGroup) : undefined;
    const candidates: ReviewerIdentity[] = [];
    for (const d of deps.directories.all()) {
      const workspace = d.workspaceOf(tenant);
      if (!group || !workspace || !d.targets(group)) continue;
      const reviewer: ReviewerIdentity = { platform: d.name, userId: as.trim(), teamId: workspace, via: { kind: 'cli', operator } };
      if (await d.isMember(group, reviewer)) return reviewer;
      candidates.push(reviewer);
    }
    return candidates[0];
  }
}
