import type { Writable } from 'node:stream';
import type { ActionStatus } from '../domain/action-status.js';
import type { AuditEvent } from '../domain/audit-event.js';
import type { Decision } from '../domain/decision.js';

export interface StoredAuditEvent extends AuditEvent {
  id: string;
  /** Position in the tenant's chain (1, 2, …), once sealed. */
  seq?: number;
  /** The sealed block holding the event, and the event's content hash recorded there. */
  block?: number;
  hash?: string;
}

/**
 * A tenant's chain head, authenticated with the chain key (derived from
 * AIRLOCK_SECRET): kept outside the database, it lets `verify` tell that the
 * chain still reaches this point (nothing after it was cut off or rewritten).
 */
export interface AuditCheckpoint {
  tenant: string;
  /** Last block (0: none yet), events sealed, and the last block's hash (the genesis hash when none). */
  block: number;
  seq: number;
  hash: string;
  /** When the checkpoint was taken (ISO 8601). */
  at: string;
  mac: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Chain entries walked (since the `since` checkpoint, when given). */
  checked: number;
  /** Events written after the last sealed one (not yet protected by the chain). */
  unsealed: number;
  /** The head reached: what `checkpoint` would record. */
  head: { block: number; seq: number; hash: string };
  problems: string[];
}

/**
 * Which events an export writes, judged on each event's own fields (the
 * action's tool, agent, decision and status as that event recorded them) and
 * its time: `since` inclusive, `until` exclusive. All given must hold; an
 * event without the field (a tenant-wide admin change has no tool) is left out.
 */
export interface AuditExportFilter {
  since?: Date;
  until?: Date;
  tool?: string;
  agent?: string;
  decision?: Decision;
  status?: ActionStatus;
}

export interface VerifyOptions {
  /** Walk only the blocks after this checkpoint (its block must still have its hash). */
  since?: AuditCheckpoint;
  /** Checkpoints kept elsewhere: the chain must still hold each of them. */
  checkpoints?: AuditCheckpoint[];
}

/**
 * The append-only audit trail. Events are written by the stores in the same
 * transaction as the change they describe; this port seals them into the
 * per-tenant hash chain, verifies it and reads it back. Left out: deletion or
 * retention (the tables refuse UPDATE, DELETE and TRUNCATE), and anything
 * about events not yet sealed beyond counting them.
 */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Seals the tenant's committed, unsealed events into the chain, except those
   * whose transaction is younger than one still running (they follow in a
   * later seal). Returns how many.
   */
  seal(tenant: string): Promise<number>;
  verify(tenant: string, opts?: VerifyOptions): Promise<ChainVerification>;
  /** The tenant's current head, authenticated; the last block is checked first. */
  checkpoint(tenant: string): Promise<AuditCheckpoint>;
  /**
   * Writes the tenant's events as JSON Lines to `out` in chain order, then the
   * unsealed ones, only those `filter` keeps (each with its place in the whole
   * chain); waits for `out` whenever it is full, and rejects if it fails or
   * closes. Returns the number of lines written.
   */
  exportJsonLines(tenant: string, out: Writable, filter?: AuditExportFilter): Promise<number>;
}
