import type { Action } from '../domain/action.js';
import { cardFor } from '../domain/approval-card.js';
import { actionAuditFields, type AuditEvent } from '../domain/audit-event.js';
import { AirlockError } from '../domain/errors.js';
import { NotInstalled } from '../domain/not-installed.js';
import { RateLimited } from '../domain/rate-limited.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ActionJobRef, CardJobRef } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { CardStore } from '../ports/card-store.js';
import type { CardRef, ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type Tracer } from '../ports/tracer.js';
import { CARD_CLAIM_STALE_MS } from './card-timing.js';
import type { EndCause } from './expire-action.js';
import { SPAN, actionAttributes, traceOf } from './span-attributes.js';


export type PostCardOutcome = 'posted' | 'recovered' | 'skipped' | 'undeliverable' | 'held';

/** A card in the trail: where it went (the platform's ids of the message, no content), for which round and group, and the arguments it showed. */
const cardPostedEvent = (action: Action, round: number, ref: CardRef, at: Date): AuditEvent => ({
  tenant: action.tenant,
  kind: 'card_posted',
  actionId: action.id,
  at,
  data: actionAuditFields(action, { card: ref, round, reviewer_group: action.reviewerGroup ?? null }),
});

/** A card held back: on which platform, for which round and group, and why (where to install), never its content. */
const cardHeldEvent = (action: Action, round: number, platform: string, why: string, at: Date): AuditEvent => ({
  tenant: action.tenant,
  kind: 'card_held',
  actionId: action.id,
  at,
  data: actionAuditFields(action, { platform, round, reviewer_group: action.reviewerGroup ?? null, held_because: why }),
});

/**
 * Posts one round's card on one chat platform, at most once: a claim row is
 * taken in Postgres before calling the platform; a stale claim (the worker
 * died mid-post) first looks for the message it may have posted. A platform
 * that can never take the card is struck off; when no platform shows the
 * round's card at all, the action ends by its timeout rule at once. A card
 * the platform holds back (the app is not installed in the tenant's
 * workspace) is recorded as held and struck off too, but ends nothing: the
 * action runs to its deadline as usual, in case an admin or operator
 * decides it meanwhile.
 */
export function makePostCard(deps: {
  actions: ActionStore;
  cards: CardStore;
  policy: PolicySource;
  clock: Clock;
  platforms: ChatPlatforms;
  endPending: (ref: ActionJobRef, cause: EndCause) => Promise<unknown>;
  onUndeliverable?: (ref: CardJobRef, why: string) => void;
  onHeld?: (ref: CardJobRef, why: string) => void;
  onAudited?: (tenant: string) => void;
  metrics?: ApprovalMetrics;
  tracer?: Tracer;
}) {
  const tracer = deps.tracer ?? noTracing;
  const giveUp = async (ref: CardJobRef, why: string): Promise<PostCardOutcome> => {
    deps.onUndeliverable?.(ref, why);
    deps.metrics?.cardPost(ref.platform, 'undeliverable');
    const left = await deps.cards.failed(ref.actionId, ref.round, ref.platform);
    if (left.posted === 0 && left.owed === 0) await deps.endPending(ref, { kind: 'undeliverable', why });
    return 'undeliverable';
  };
  const hold = async (ref: CardJobRef, action: Action, why: string): Promise<PostCardOutcome> => {
    deps.onHeld?.(ref, why);
    deps.metrics?.cardPost(ref.platform, 'held');
    await deps.cards.held(action.id, ref.round, ref.platform, cardHeldEvent(action, ref.round, ref.platform, why, deps.clock.now()));
    deps.onAudited?.(action.tenant);
    return 'held';
  };

  return async function postCard(ref: CardJobRef): Promise<PostCardOutcome> {
    const action = await deps.actions.get(ref.tenant, ref.actionId);
    if (!action || action.status !== 'pending' || action.round !== ref.round || !action.cardPlatforms.includes(ref.platform)) return 'skipped';
    // Each attempt is a span under the action's intake span; a paced one ends as RateLimited and is tried again.
    const attributes = { ...actionAttributes(action), 'airlock.chat.platform': ref.platform, 'airlock.card.round': ref.round };
    return tracer.span(SPAN.cardPost, { kind: 'client', parent: traceOf(action), attributes }, async (span) => {
      const outcome = await post(ref, action);
      span.set({ 'airlock.card.outcome': outcome });
      return outcome;
    });
  };

  async function post(ref: CardJobRef, action: Action): Promise<PostCardOutcome> {
    const content = cardFor(deps.policy.current(), action, ref.round);
    const platform = deps.platforms.get(ref.platform);
    if (!content || !platform || !platform.targets(content.group)) {
      return giveUp(ref, platform ? `reviewer group ${action.reviewerGroup} has no place on ${ref.platform}` : `${ref.platform} is not configured in this process`);
    }
    // Within the platform's rate limits, asked before the claim: a card that must wait goes back to the queue for that long without claiming.
    const wait = (await platform.cardWait?.(content)) ?? 0;
    if (wait > 0) throw new RateLimited(wait, `the ${ref.platform} card of ${action.id} (paced)`);
    const claim = await deps.cards.claim(ref.tenant, ref.actionId, ref.round, ref.platform, deps.clock.now(), CARD_CLAIM_STALE_MS);
    if (claim.kind === 'taken') return 'skipped';
    if (claim.kind === 'reclaimed') {
      const found = await platform.findCard(content, new Date(claim.claimedAt.getTime() - 60_000)).catch((err: unknown) => {
        if (err instanceof NotInstalled) return err;
        throw err;
      });
      if (found instanceof NotInstalled) return hold(ref, action, found.message);
      if (found) {
        const now = deps.clock.now();
        await deps.cards.saved(action.id, ref.round, found, now, cardPostedEvent(action, ref.round, found, now));
        deps.onAudited?.(action.tenant);
        deps.metrics?.cardPost(ref.platform, 'recovered');
        return 'recovered';
      }
    }
    try {
      const card = await platform.postCard(content);
      const now = deps.clock.now();
      await deps.cards.saved(action.id, ref.round, card, now, cardPostedEvent(action, ref.round, card, now));
      deps.onAudited?.(action.tenant);
      deps.metrics?.cardPost(ref.platform, 'posted');
      return 'posted';
    } catch (err) {
      if (err instanceof NotInstalled) return hold(ref, action, err.message);
      if (err instanceof AirlockError && err.code === 'delivery_failed' && !err.retry) return giveUp(ref, err.message);
      // Transient (or rate limited): let the next attempt claim again at once.
      if (!(err instanceof RateLimited)) deps.metrics?.cardPost(ref.platform, 'error');
      await deps.cards.release(action.id, ref.round, ref.platform);
      throw err;
    }
  }
}
