import type pg from 'pg';

export interface OpenApprovalCount {
  tenant: string;
  group: string | null;
  count: number;
}

/**
 * Pending approvals per tenant and reviewer group, for /metrics. Read from
 * Postgres, so every process reports what all of them queued, and a restart
 * loses nothing. One grouped count over the partial index of pending actions
 * (`actions_pending`), shared by every scrape within `maxAgeMs`: a scrape
 * storm costs one query per interval, not one per scrape.
 */
export class PgOpenApprovals {
  private last?: { at: number; rows: Promise<OpenApprovalCount[]> };

  constructor(private readonly pool: pg.Pool, private readonly maxAgeMs = 1_000) {}

  read(): Promise<OpenApprovalCount[]> {
    const now = performance.now();
    if (this.last && now - this.last.at < this.maxAgeMs) return this.last.rows;
    const rows = this.pool
      .query<{ tenant: string; group: string | null; count: number }>(
        `SELECT tenant_id AS tenant, reviewer_group AS "group", count(*)::int AS count
           FROM actions WHERE status = 'pending' GROUP BY tenant_id, reviewer_group`,
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
