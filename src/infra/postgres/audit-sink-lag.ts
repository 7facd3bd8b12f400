import type pg from 'pg';

export interface AuditSinkLagCount {
  tenant: string;
  /** Sealed events the sink has not acknowledged yet. */
  events: number;
}

/**
 * How far the audit sink is behind, per tenant, for /metrics: each chain's
 * sealed count (`audit_chain_heads.seq`) past its sink cursor (migration
 * 0034), read from Postgres so every process reports the same. One row per
 * tenant whatever the trail's length, shared by every scrape within
 * `maxAgeMs`.
 */
export class PgAuditSinkLag {
  private last?: { at: number; rows: Promise<AuditSinkLagCount[]> };

  constructor(private readonly pool: pg.Pool, private readonly maxAgeMs = 1_000) {}

  read(): Promise<AuditSinkLagCount[]> {
    const now = performance.now();
    if (this.last && now - this.last.at < this.maxAgeMs) return this.last.rows;
    const rows = this.pool
      .query<AuditSinkLagCount>(
        `SELECT h.tenant_id AS tenant, greatest(h.seq - COALESCE(c.seq, 0), 0)::float8 AS events
           FROM audit_chain_heads h LEFT JOIN audit_sink_cursors c USING (tenant_id)`,
      )
      .then((r) => r.rows);
    this.last = { at: now, rows };
    // A failed read is not kept: the next scrape asks again.
    rows.catch(() => {
      if (this.last?.rows === rows) this.last = undefined;
    });
    return rows;
  }
}
