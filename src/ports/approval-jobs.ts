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

export interface ApprovalJobs {
  postCard(ref: ActionJobRef): Promise<void>;
  scheduleExpiry(ref: ActionJobRef, at: Date): Promise<void>;
  scheduleReminder(ref: ActionJobRef, at: Date): Promise<void>;
  /** Re-renders every card of the action after its state changed. */
  updateCards(ref: Omit<ActionJobRef, 'round'>, reason: string): Promise<void>;
  deliverCallback(ref: Omit<ActionJobRef, 'round'>, status: string): Promise<void>;
}
