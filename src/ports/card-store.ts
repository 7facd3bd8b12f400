import type { AuditEvent } from '../domain/audit-event.js';
import type { CardRef } from './chat-platform.js';

export type CardClaim =
  /** First attempt: post. */
  | { kind: 'claimed' }
  /** An earlier attempt died mid-post: look for its message before posting. */
  | { kind: 'reclaimed'; claimedAt: Date }
  /** Posted already, or another worker is posting right now. */
  | { kind: 'taken' };

export interface StoredCard {
  round: number;
  ref: CardRef;
}

/**
 * Bookkeeping of posted cards: one per action, round and chat platform. A
 * card saved or failed for good is also struck off the action's list of
 * platforms that still owe the round's card, in the same statement; a saved
 * card's audit event is written in that statement too.
 */
export interface CardStore {
  claim(tenant: string, actionId: string, round: number, platform: string, now: Date, staleAfterMs: number): Promise<CardClaim>;
  saved(actionId: string, round: number, ref: CardRef, now: Date, audit: AuditEvent): Promise<void>;
  /**
   * The platform holds this card back (the app is not installed in the
   * tenant's workspace): recorded with its audit event, struck off what the
   * round still owes, never retried; unlike a failed card, no reason to end
   * the action early.
   */
  held(actionId: string, round: number, platform: string, audit: AuditEvent): Promise<void>;
  /** The platform can never take this card; returns what is left of the round's cards. */
  failed(actionId: string, round: number, platform: string): Promise<{ posted: number; owed: number }>;
  /** Drops a claim whose post certainly failed, so a retry can claim at once. */
  release(actionId: string, round: number, platform: string): Promise<void>;
  list(actionId: string): Promise<StoredCard[]>;
}
