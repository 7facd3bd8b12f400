import { cardFor } from '../domain/approval-card.js';
import { actionAuditFields } from '../domain/audit-event.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef } from '../ports/approval-jobs.js';
import type { CardStore } from '../ports/card-store.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type Tracer } from '../ports/tracer.js';
import { SPAN, actionAttributes, traceOf } from './span-attributes.js';

/**
 * One reminder per round, in the thread of each of that round's cards, while
 * nobody has decided. A round that owes no card and has none (its group meets
 * in the web console only, or no chat platform shows it) has nowhere to post
 * one: its reminder is marked done all the same, or every reconciler tick
 * would find it due again. Each reminder is a span in the action's trace.
 */
export function makeSendReminder(deps: {
  actions: ActionStore;
  cards: CardStore;
  policy: PolicySource;
  platforms: ChatPlatforms;
  clock: Clock;
  onAudited?: (tenant: string) => void;
  tracer?: Tracer;
}) {
  const tracer = deps.tracer ?? noTracing;
  return async function sendReminder(ref: ActionJobRef): Promise<boolean> {
    const action = await deps.actions.get(ref.tenant, ref.actionId);
    if (!action || action.status !== 'pending' || action.round !== ref.round) return false;
    const cards = (await deps.cards.list(action.id)).filter((c) => c.round === ref.round);
    const content = cardFor(deps.policy.current(), action, ref.round);
    const nowhere = cards.length === 0 && action.cardPlatforms.length === 0;
    if ((cards.length === 0 && !nowhere) || !content) return false;
    const attributes = { ...actionAttributes(action), 'airlock.approval.round': ref.round, 'airlock.reminder.cards': cards.length };
    return tracer.span(SPAN.reminder, { kind: 'client', parent: traceOf(action), attributes }, async (span) => {
      const reminder = {
        tenant: action.tenant,
        kind: 'reminder' as const,
        actionId: action.id,
        at: deps.clock.now(),
        data: actionAuditFields(action, { round: ref.round, reviewer_group: action.reviewerGroup ?? null, ...(nowhere ? { posted: false } : {}) }),
      };
      if (!(await deps.actions.markReminded(ref.tenant, ref.actionId, ref.round, reminder))) {
        span.set({ 'airlock.reminder.outcome': 'already_sent' });
        return false;
      }
      deps.onAudited?.(action.tenant);
      // Best effort on each platform: one failing reminder must not keep the others from being sent.
      const sent = await Promise.allSettled(cards.map((c) => deps.platforms.get(c.ref.platform)?.postReminder(c.ref, content)));
      span.set({ 'airlock.reminder.outcome': nowhere ? 'not_posted' : 'sent', 'airlock.reminder.failed': sent.filter((r) => r.status === 'rejected').length });
      return true;
    });
  };
}
