import { cardStateFor } from '../domain/card-state.js';
import { AirlockError } from '../domain/errors.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef } from '../ports/approval-jobs.js';
import type { ApprovalNotifier } from '../ports/approval-notifier.js';
import type { CardStore } from '../ports/card-store.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import type { EndCause } from './expire-action.js';

/** A claim older than this is considered abandoned by a dead worker. */
export const CARD_CLAIM_STALE_MS = 10_000;

export type PostCardOutcome = 'posted' | 'recovered' | 'skipped' | 'undeliverable';

/**
 * Posts the card of one action round, at most once: a claim row is taken in
 * Postgres before calling the platform; a stale claim (the worker died
 * mid-post) first looks for the message it may have posted. A card that can
 * never be delivered ends the action by its timeout rule at once.
 */
export function makePostCard(deps: {
  actions: ActionStore;
  cards: CardStore;
  policy: PolicySource;
  clock: Clock;
  notifier: ApprovalNotifier;
  endPending: (ref: ActionJobRef, cause: EndCause) => Promise<unknown>;
  onUndeliverable?: (ref: ActionJobRef, why: string) => void;
}) {
  return async function postCard(ref: ActionJobRef): Promise<PostCardOutcome> {
    const action = await deps.actions.get(ref.tenant, ref.actionId);
    if (!action || action.status !== 'pending' || action.round !== ref.round) return 'skipped';
    const policy = deps.policy.current();
    const group = action.reviewerGroup ? policy.tenants.get(ref.tenant)?.reviewerGroups.get(action.reviewerGroup) : undefined;
    if (!group?.slack) {
      const why = `reviewer group ${action.reviewerGroup} has no Slack channel`;
      deps.onUndeliverable?.(ref, why);
      await deps.endPending(ref, { kind: 'undeliverable', why });
      return 'undeliverable';
    }
    const claim = await deps.cards.claim(ref.tenant, ref.actionId, ref.round, 'slack', deps.clock.now(), CARD_CLAIM_STALE_MS);
    if (claim.kind === 'taken') return 'skipped';
    if (claim.kind === 'reclaimed') {
      const found = await deps.notifier.findCard(group, action.id, new Date(claim.claimedAt.getTime() - 60_000));
      if (found) {
        await deps.cards.saved(action.id, ref.round, found, deps.clock.now());
        return 'recovered';
      }
    }
    try {
      const card = await deps.notifier.postCard({ action, tool: policy.tools.get(action.tool), group, state: cardStateFor(action, ref.round) });
      await deps.cards.saved(action.id, ref.round, card, deps.clock.now());
      return 'posted';
    } catch (err) {
      if (err instanceof AirlockError && err.code === 'delivery_failed' && !err.retry) {
        await deps.cards.failed(action.id, ref.round);
        deps.onUndeliverable?.(ref, err.message);
        await deps.endPending(ref, { kind: 'undeliverable', why: err.message });
        return 'undeliverable';
      }
      // Transient: let the next attempt claim again at once.
      await deps.cards.release(action.id, ref.round);
      throw err;
    }
  };
}
