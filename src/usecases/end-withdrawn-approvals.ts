import { policyVersion } from '../domain/policy-model.js';
import { withdrawnByPolicy } from '../domain/policy-withdrawal.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { Clock } from '../ports/clock.js';
import type { OverridesStore } from '../ports/overrides-store.js';
import type { PolicySource } from '../ports/policy-source.js';
import type { WithdrawnApprovals, WithdrawnGround } from '../ports/withdrawn-approvals.js';
import { followUp, type FollowUpErrors } from './approval-effects.js';
import { CARD_UPDATE_BUDGET } from './run-admin-command.js';

/**
 * After the policy was reloaded (and when a worker starts, since the file may
 * have changed while it was down): every pending approval the policy no
 * longer permits is denied, as an admin's deny-tool or kill-agent denies,
 * one set-based statement per tenant. Its card says why (within the chat
 * platforms' update budget; older cards re-render on their next click), the
 * reason is the last of its `reasons`, its audit event is written, then its
 * callback delivered. Running it twice, or in several processes at once,
 * ends each approval once. Returns how many ended.
 */
export function makeEndWithdrawnApprovals(deps: {
  policy: PolicySource;
  overrides: OverridesStore;
  withdrawals: WithdrawnApprovals;
  jobs: ApprovalJobs;
  clock: Clock;
  onAudited?: (tenant: string) => void;
  onFollowUpError?: FollowUpErrors;
}) {
  return async function endWithdrawnApprovals(): Promise<number> {
    const policy = deps.policy.current();
    const byTenant = new Map<string, WithdrawnGround[]>();
    for (const ground of await deps.withdrawals.pendingGrounds()) {
      const end = withdrawnByPolicy(policy, ground);
      if (end) byTenant.set(ground.tenant, [...(byTenant.get(ground.tenant) ?? []), { ground, rule: end.rule, detail: end.detail }]);
    }
    let total = 0;
    for (const [tenant, withdrawn] of byTenant) {
      const at = deps.clock.now();
      const ended = await deps.withdrawals.end(tenant, withdrawn, {
        policyVersion: policyVersion(policy, await deps.overrides.get(tenant)),
        at,
        newest: CARD_UPDATE_BUDGET,
        audit: { admin: { policy_file: policy.fileVersion }, cause: 'policy_reload', reason: null },
      });
      if (ended.count === 0) continue;
      total += ended.count;
      const cards = ended.newest.map((e) => ({ tenant, actionId: e.id }));
      const callbacks = ended.withCallback.map((e) => ({ tenant, actionId: e.id, status: e.status }));
      await Promise.all([
        followUp(`card updates of the approvals the policy of ${tenant} no longer permits`, () => deps.jobs.updateCardsOf(cards, 'policy reload'), deps.onFollowUpError),
        // The audit events first, so an agent told of the outcome finds it in the trail; a failed write does not hold the callbacks back (the reconciler writes it).
        (async () => {
          await followUp('audit events of the approvals a policy reload ended', async () => {
            for (const paid of await deps.overrides.writeOwedAudit()) deps.onAudited?.(paid.tenant);
          }, deps.onFollowUpError);
          if (callbacks.length > 0) await followUp(`callbacks of the approvals the policy of ${tenant} no longer permits`, () => deps.jobs.deliverCallbacks(callbacks), deps.onFollowUpError);
        })(),
      ]);
    }
    return total;
  };
}
