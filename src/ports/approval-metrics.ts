/** How a reviewer's click (or an operator's review) was answered. */
export type ReviewOutcome =
  /** The approval that decided the action. */
  | 'approved'
  /** An approval counted towards a quorum; the action still waits for more. */
  | 'counted'
  | 'denied'
  /** Not accepted: not in the group, the requester, too late, arguments changed, overridden, … (the audit trail says which). */
  | 'refused';

/** What became of one attempt to post a card on a chat platform. */
export type CardPostOutcome =
  | 'posted'
  /** An earlier attempt had posted it before its worker died; found and recorded instead of posting twice. */
  | 'recovered'
  /** The platform can never take it (channel gone, credentials refused): struck off for good. */
  | 'undeliverable'
  /** Held back: the app is not installed in the tenant's workspace (recorded, not posted, not retried). */
  | 'held'
  /** A transient failure: the queue tries again. */
  | 'error';

export type CardUpdateOutcome = 'updated' | 'error';

export type CallbackDeliveryOutcome =
  | 'delivered'
  /** One attempt failed (refused, timed out, not 2xx); the queue retries it unless it was the last. */
  | 'attempt_failed'
  /** Every attempt failed: delivery stopped. */
  | 'gave_up';

/**
 * What the approval loop reports for /metrics, as it happens, in the process
 * it happens in (the CLI, which nobody scrapes, hands its counts over to a
 * worker: see metric-handoff.ts). Raw names are passed: the implementation
 * labels them only with what the live policy declares.
 *
 * Deliberately left out: intake decisions (the HTTP route counts them), and
 * anything that must be right across processes and restarts, such as how
 * many approvals are open now (read from Postgres when scraped, never counted
 * here). Implementations never throw and never block.
 */
export interface ApprovalMetrics {
  review(tenant: string | undefined, group: string | undefined, outcome: ReviewOutcome): void;
  /** A pending action ended by a review or by its deadline, `seconds` after it was queued. */
  decided(tenant: string, group: string | undefined, seconds: number): void;
  cardPost(platform: string, outcome: CardPostOutcome): void;
  cardUpdate(platform: string, outcome: CardUpdateOutcome): void;
  callback(outcome: CallbackDeliveryOutcome): void;
}
