import type { ReviewOutcome } from './approval-metrics.js';

/** One count made by a process nobody scrapes, with raw names (the taker labels them by its live policy). */
export type HandedOffCount =
  | { kind: 'review'; tenant?: string; group?: string; outcome: ReviewOutcome }
  /** A review ended a pending approval, `seconds` after it was queued. */
  | { kind: 'decided'; tenant: string; group?: string; seconds: number };

/**
 * Counts for /metrics made in a process nobody scrapes (the CLI, which exits
 * right after an operator's review), left for a scraped process to take over
 * into its own counters, each exactly once across processes.
 *
 * Deliberately left out: card posts, card updates and callbacks (a CLI only
 * enqueues them; the worker that runs them counts them), and any promise
 * that a count outlives a process killed before it left its counts: these
 * are metrics, the audit trail is the record.
 */
export interface MetricHandoff {
  leave(counts: readonly HandedOffCount[]): Promise<void>;
  /** Takes up to `limit` counts, oldest first, and forgets them; a row it cannot read is forgotten too. */
  take(limit: number): Promise<HandedOffCount[]>;
}
