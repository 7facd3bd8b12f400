import { cardFor } from '../domain/approval-card.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { CardStore } from '../ports/card-store.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type Tracer } from '../ports/tracer.js';
import { SPAN, actionAttributes, traceOf } from './span-attributes.js';

/**
 * Re-renders every posted card of an action, on every platform, from its
 * stored state (idempotent). Each card's update is a span in the action's trace.
 */
export function makeUpdateCards(deps: { actions: ActionStore; cards: CardStore; policy: PolicySource; platforms: ChatPlatforms; metrics?: ApprovalMetrics; tracer?: Tracer }) {
  const tracer = deps.tracer ?? noTracing;
  return async function updateCards(tenant: string, actionId: string): Promise<number> {
    const action = await deps.actions.get(tenant, actionId);
    if (!action) return 0;
    const policy = deps.policy.current();
    let updated = 0;
    for (const card of await deps.cards.list(actionId)) {
      const content = cardFor(policy, action, card.round);
      const platform = deps.platforms.get(card.ref.platform);
      if (!content || !platform) continue;
      const attributes = { ...actionAttributes(action), 'airlock.chat.platform': card.ref.platform, 'airlock.card.round': card.round, 'airlock.action.status': action.status };
      await tracer.span(SPAN.cardUpdate, { kind: 'client', parent: traceOf(action), attributes }, async (span) => {
        try {
          await platform.updateCard(card.ref, content);
        } catch (err) {
          deps.metrics?.cardUpdate(card.ref.platform, 'error');
          throw err;
        }
        deps.metrics?.cardUpdate(card.ref.platform, 'updated');
        span.set({ 'airlock.card.outcome': 'updated' });
      });
      updated += 1;
    }
    return updated;
  };
}
