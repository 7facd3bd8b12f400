import type { Pool } from 'pg';
import type { ReviewOutcome } from '../../ports/approval-metrics.js';
import type { HandedOffCount, MetricHandoff } from '../../ports/metric-handoff.js';

const OUTCOMES: ReadonlySet<string> = new Set<ReviewOutcome>(['approved', 'counted', 'denied', 'refused']);

interface Row {
  kind: string;
  tenant_id: string | null;
  reviewer_group: string | null;
  outcome: string | null;
  seconds: number | null;
}

/** A stored row as a count, or nothing for one this version cannot read (a newer kind or outcome): never a label value it does not know. */
function countOf(r: Row): HandedOffCount | undefined {
  const group = r.reviewer_group ?? undefined;
  if (r.kind === 'review' && r.outcome !== null && OUTCOMES.has(r.outcome)) return { kind: 'review', tenant: r.tenant_id ?? undefined, group, outcome: r.outcome as ReviewOutcome };
  if (r.kind === 'decided' && r.tenant_id !== null && r.seconds !== null && Number.isFinite(r.seconds)) return { kind: 'decided', tenant: r.tenant_id, group, seconds: r.seconds };
  return undefined;
}

/** The handoff in `metric_handoffs` (migration 0039): one insert per leaving process, one delete per taking. */
export class PgMetricHandoff implements MetricHandoff {
  constructor(private readonly pool: Pool) {}

  async leave(counts: readonly HandedOffCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.pool.query(
      `INSERT INTO metric_handoffs (kind, tenant_id, reviewer_group, outcome, seconds)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[])`,
      [
        counts.map((c) => c.kind),
        counts.map((c) => c.tenant ?? null),
        counts.map((c) => c.group ?? null),
        counts.map((c) => (c.kind === 'review' ? c.outcome : null)),
        counts.map((c) => (c.kind === 'decided' ? c.seconds : null)),
      ],
    );
  }

  async take(limit: number): Promise<HandedOffCount[]> {
    // Rows another taker holds are skipped, not waited for: it counts them.
    const { rows } = await this.pool.query<Row>(
      `DELETE FROM metric_handoffs WHERE id IN (SELECT id FROM metric_handoffs ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING kind, tenant_id, reviewer_group, outcome, seconds`,
      [Math.max(1, limit)],
    );
    return rows.flatMap((r) => countOf(r) ?? []);
  }
}
