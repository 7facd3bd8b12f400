import type { CardRef } from './approval-notifier.js';

export type CardClaim =
  /** First attempt: post. */
  | { kind: 'claimed' }
  /** An earlier attempt died mid-post: look for its message before posting. */
  | { kind: 'reclaimed'; claimedAt: Date }
  /** Posted already, or another worker is posting right now. */
  | { kind: 'taken' };

export interface StoredCard extends CardRef {
  round: number;
}

/** Bookkeeping of posted cards, one per action and round. */
export interface CardStore {
  claim(tenant: string, actionId: string, round: number, platform: CardRef['platform'], now: Date, staleAfterMs: number): Promise<CardClaim>;
  saved(actionId: string, round: number, ref: CardRef, now: Date): Promise<void>;
  failed(actionId: string, round: number): Promise<void>;
  /** Drops a claim whose post certainly failed, so a retry can claim at once. */
  release(actionId: string, round: number): Promise<void>;
  list(actionId: string): Promise<StoredCard[]>;
}
