import type { AuditEvent } from '../domain/audit-event.js';

export interface StoredAuditEvent extends AuditEvent {
  id: string;
  /** Position in the tenant's chain (1, 2, …), once sealed. */
  seq?: number;
  /** The sealed block holding the event, and the event's content hash recorded there. */
  block?: number;
  hash?: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  unsealed: number;
  problems: string[];
}

/**
 * The append-only audit trail. Events are written by the stores in the same
 * transaction as the change they describe; this port seals them into the
 * per-tenant hash chain and reads them back. Left out: deletion or retention
 * (the table refuses UPDATE of content and DELETE).
 */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /**
   * Seals the tenant's committed, unsealed events into the chain, except those
   * whose transaction is younger than one still running (they follow in a
   * later seal). Returns how many.
   */
  seal(tenant: string): Promise<number>;
  verify(tenant: string): Promise<ChainVerification>;
  export(tenant: string, write: (event: StoredAuditEvent) => Promise<void> | void): Promise<number>;
}
