import { cardFor } from '../domain/approval-card.js';
import type { ActionStore } from '../ports/action-store.js';
import type { PolicySource } from '../ports/policy-source.js';

/**
 * A card as it stands now, for a surface that asks to redraw one (a Teams
 * client refreshing a reviewer's view). A round later than the action's is
 * shown as the action's current round; undefined when the action is not the
 * tenant's or the policy no longer has the round's reviewer group.
 */
export function makeShowCard(deps: { actions: Pick<ActionStore, 'get'>; policy: PolicySource }) {
  return async function showCard(tenant: string, actionId: string, round: number) {
    const action = await deps.actions.get(tenant, actionId);
    return action ? cardFor(deps.policy.current(), action, Math.min(round, action.round)) : undefined;
  };
}
