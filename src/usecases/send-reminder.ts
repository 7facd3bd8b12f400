import { cardStateFor } from '../domain/card-state.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef } from '../ports/approval-jobs.js';
import type { ApprovalNotifier } from '../ports/approval-notifier.js';
import type { CardStore } from '../ports/card-store.js';
import type { PolicySource } from '../ports/policy-source.js';

/** One reminder per round, in the thread of that round's card, while nobody has decided. */
export function makeSendReminder(deps: { actions: ActionStore; cards: CardStore; policy: PolicySource; notifier: ApprovalNotifier }) {
  return async function sendReminder(ref: ActionJobRef): Promise<boolean> {
    const action = await deps.actions.get(ref.tenant, ref.actionId);
    if (!action || action.status !== 'pending' || action.round !== ref.round) return false;
    const card = (await deps.cards.list(action.id)).find((c) => c.round === ref.round);
    const policy = deps.policy.current();
    const group = action.reviewerGroup ? policy.tenants.get(ref.tenant)?.reviewerGroups.get(action.reviewerGroup) : undefined;
    if (!card || !group) return false;
    if (!(await deps.actions.markReminded(ref.tenant, ref.actionId, ref.round))) return false;
    await deps.notifier.postReminder(card, { action, tool: policy.tools.get(action.tool), group, state: cardStateFor(action, ref.round) });
    return true;
  };
}
