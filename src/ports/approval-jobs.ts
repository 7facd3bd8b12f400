/**
 * Durable background work of the approval loop. Every job is keyed by the
 * action (and round, and chat platform for cards), so enqueueing twice is
 * harmless, and every job re-reads Postgres, which stays the source of truth:
 * a lost job is recreated by the reconciler. Every write has a deadline and
 * fails with `unavailable` past it. Left out: any notion of which queue
 * backend runs.
 */
export interface ActionJobRef {
  tenant: string;
  actionId: string;
  round: number;
}

/** One round's card on one chat platform. */
export interface CardJobRef extends ActionJobRef {
  platform: string;
}

export interface RoundTimers {
  expiresAt?: Date;
  remindAt?: Date;
}

export interface ApprovalJobs {
  /**
   * A new approval round: its card on each platform is enqueued before this
   * resolves; its deadline and reminder may follow shortly after, batched
   * with other rounds' (the reconciler applies them from Postgres if they
   * never arrive). A card with a delay (milliseconds, by platform) is due
   * only then: its send slot was reserved for that time.
   */
  startRound(ref: ActionJobRef, timers: RoundTimers, platforms: readonly string[], delays?: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Enqueues a card job again (the reconciler): a job of the same card that
   * ran out of attempts is replaced, so a card is never lost to a failed job.
   */
  repostCard(ref: CardJobRef): Promise<void>;
  scheduleExpiry(ref: ActionJobRef, at: Date): Promise<void>;
  /** Re-renders every card of the action after its state changed. */
  updateCards(ref: Omit<ActionJobRef, 'round'>, reason: string): Promise<void>;
  /** The same for many actions, written in bulk (after an admin command). */
  updateCardsOf(refs: Omit<ActionJobRef, 'round'>[], reason: string): Promise<void>;
  deliverCallback(ref: Omit<ActionJobRef, 'round'>, status: string): Promise<void>;
  /** The same for many actions, written in bulk. */
  deliverCallbacks(refs: (Omit<ActionJobRef, 'round'> & { status: string })[]): Promise<void>;
}
