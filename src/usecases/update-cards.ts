import { cardStateFor } from '../domain/card-state.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalNotifier } from '../ports/approval-notifier.js';
import type { CardStore } from '../ports/card-store.js';
import type { PolicySource } from '../ports/policy-source.js';
import { groupForRound } from './approval-effects.js';

/** Re-renders every posted card of an action from its stored state (idempotent). */
export function makeUpdateCards(deps: { actions: ActionStore; cards: CardStore; policy: PolicySource; notifier: ApprovalNotifier }) {
  return async function updateCards(tenant: string, actionId: string): Promise<number> {
    const action = await deps.actions.get(tenant, actionId);
    if (!action) return 0;
    const policy = deps.policy.current();
    const tool = policy.tools.get(action.tool);
    const cards = await deps.cards.list(actionId);
    for (const card of cards) {
      const groupName = groupForRound(tool?.approval, action.reviewerGroup, card.round);
      const group = groupName ? policy.tenants.get(tenant)?.reviewerGroups.get(groupName) : undefined;
      if (!group) continue;
      await deps.notifier.updateCard(card, { action, tool, group, state: cardStateFor(action, card.round) });
    }
    return cards.length;
  };
}
