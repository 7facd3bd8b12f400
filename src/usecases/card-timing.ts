/** A new round's cards are first checked by the reconciler this long after the round starts (they are normally posted well before). */
export const CARD_GRACE_MS = 2_000;
/** A card claim older than this is considered abandoned by a dead worker. */
export const CARD_CLAIM_STALE_MS = 10_000;
/**
 * How long after the reconciler re-enqueued an action's card jobs it looks
 * again: longer than a stale claim, so a reclaim can happen, short enough that
 * a card lost with a Redis flush is late by seconds, not minutes.
 */
export const CARD_RECHECK_MS = 15_000;
