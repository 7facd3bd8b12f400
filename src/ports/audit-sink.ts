/**
 * Consecutive sealed events of one tenant's chain, read past the sink's
 * cursor. `firstSeq..lastSeq` is the range read; an event listed in the chain
 * whose row is gone (which `audit verify` reports) is absent from `events`,
 * so the receiver sees the hole instead of the range stopping there.
 */
export interface AuditFeedBatch {
  tenant: string;
  firstSeq: number;
  lastSeq: number;
  /** The block holding `lastSeq`: where the next read starts. */
  lastBlock: number;
  /** Events in `events`. */
  count: number;
  /** The events in chain order, each one JSON object and line as `audit export` prints it, separated by commas. */
  events: Buffer;
}

/**
 * A process's exclusive right to ship one tenant's chain. Left out: any
 * memory of what was sent but not acknowledged (a batch is re-read from the
 * chain when it has to be sent again).
 */
export interface AuditFeedLease {
  /**
   * The events after the last batch this lease read (the first read starts
   * at the cursor), at most `maxEvents` and `maxBytes` of JSON (always at
   * least one); undefined when nothing sealed is left.
   */
  next(maxEvents: number, maxBytes: number): Promise<AuditFeedBatch | undefined>;
  /**
   * The sink acknowledged `batch` (the oldest not acknowledged yet): the
   * cursor moves past it and stays there across restarts (a crash of
   * Postgres itself may take the move back: the batch then goes again).
   */
  acknowledge(batch: AuditFeedBatch): Promise<void>;
  release(): Promise<void>;
}

/** The sealed audit chain as the audit sink reads it, with one durable cursor per tenant. */
export interface AuditFeed {
  /** Tenants whose chain is sealed past their cursor. */
  tenantsBehind(): Promise<string[]>;
  /** The lease on `tenant`, or undefined while another process holds it. */
  claim(tenant: string): Promise<AuditFeedLease | undefined>;
}

/**
 * Where batches go (AUDIT_SINK_URL). Resolves with the HTTP status; rejects
 * with a `delivery_failed` AirlockError when no answer came (refused, reset,
 * timed out). Left out: retries and redirects (the shipper retries; a signed
 * batch goes only to the configured URL).
 */
export interface AuditSink {
  deliver(body: Buffer, headers: Record<string, string>): Promise<{ status: number }>;
}
