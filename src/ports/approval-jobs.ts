/**
 * Durable background work of the approval loop. Every job is keyed by the
 * action (and round), so enqueueing twice is harmless, and every job re-reads
 * Postgres, which stays the source of truth: a lost job is recreated by the
 * reconciler. Left out: any notion of which queue backend runs.
 */
export interface ActionJobRef {
  tenant: string;
  actionId: string;
  round: number;
}

export interface RoundTimers {
  expiresAt?: Date;
  remindAt?: Date;
}

export interface ApprovalJobs {
  /**
   * A new approval round: its card is enqueued before this resolves; its
   * deadline and reminder may follow shortly after, batched with other
   * rounds' (the reconciler applies them from Postgres if they never arrive).
   */
  startRound(ref: ActionJobRef, timers: RoundTimers): Promise<void>;
  postCard(ref: ActionJobRef): Promise<void>;
  scheduleExpiry(ref: ActionJobRef, at: Date): Promise<void>;
  /** Re-renders every card of the action after its state changed. */
  updateCards(ref: Omit<ActionJobRef, 'round'>, reason: string): Promise<void>;
  /** The same for many actions, written in bulk (after an admin command). */
  updateCardsOf(refs: Omit<ActionJobRef, 'round'>[], reason: string): Promise<void>;
  deliverCallback(ref: Omit<ActionJobRef, 'round'>, status: string): Promise<void>;
  /** The same for many actions, written in bulk. */
  deliverCallbacks(refs: (Omit<ActionJobRef, 'round'> & { status: string })[]): Promise<void>;
}
