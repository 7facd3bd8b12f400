import { cardFor } from '../domain/approval-card.js';
import type { ActionStore } from '../ports/action-store.js';
import type { CardContent } from '../ports/chat-platform.js';
import type { PolicySource } from '../ports/policy-source.js';

/**
 * A console reviewer's inbox: the tenant's approvals waiting on their
 * reviewer groups, oldest first, each with the card every surface shows.
 * Which groups are theirs is the caller's to decide (from the policy and
 * their sign-in); deciding still goes through the review use case.
 */
export function makeListInbox(deps: { actions: Pick<ActionStore, 'pendingFor'>; policy: PolicySource }) {
  return async function listInbox(tenant: string, groups: readonly string[], limit: number): Promise<{ total: number; items: CardContent[] }> {
    const { total, actions } = await deps.actions.pendingFor(tenant, groups, limit);
    const policy = deps.policy.current();
    // An action whose group the live policy no longer has gets no card: a reload is ending it.
    return { total, items: actions.map((a) => cardFor(policy, a)).filter((c): c is CardContent => c !== undefined) };
  };
}
