import type { Pool } from 'pg';
import type { Decision, Mode } from '../../domain/decision.js';
import type { ShadowRecords } from '../../ports/shadow-records.js';

const EXAMPLES = 3;

// One pass over the window's rows (tenant and created_at are indexed): the
// database groups them, so only the groups and a few ids per group come back.
const GROUPS_SQL = `
SELECT a.tool,
       p.shadow->'live'->>'decision' AS live_decision, p.shadow->'live'->>'mode' AS live_mode,
       p.shadow->>'decision' AS shadow_decision, p.shadow->>'mode' AS shadow_mode,
       count(*)::int AS n, (array_agg(a.id::text ORDER BY a.created_at DESC))[1:${EXAMPLES}] AS examples
FROM actions a JOIN action_payloads p ON p.action_id = a.id
WHERE a.tenant_id = $1 AND a.created_at >= $2 AND a.created_at < $3 AND p.shadow IS NOT NULL
GROUP BY 1, 2, 3, 4, 5`;

export class PgShadowRecords implements ShadowRecords {
  constructor(private readonly pool: Pool) {}

  async summarise(tenant: string, since: Date, until: Date) {
    const [groups, versions] = await Promise.all([
      this.pool.query<{ tool: string; live_decision: Decision; live_mode: Mode; shadow_decision: Decision; shadow_mode: Mode; n: number; examples: string[] }>(
        GROUPS_SQL,
        [tenant, since, until],
      ),
      this.pool.query<{ version: string | null }>(
        `SELECT p.shadow->>'policy_version' AS version, count(*)::int AS n
         FROM actions a JOIN action_payloads p ON p.action_id = a.id
         WHERE a.tenant_id = $1 AND a.created_at >= $2 AND a.created_at < $3
         GROUP BY 1 ORDER BY min(a.created_at)`,
        [tenant, since, until],
      ),
    ]);
    const rows = versions.rows as { version: string | null; n: number }[];
    return {
      groups: groups.rows.map((r) => ({
        tool: r.tool,
        live: { decision: r.live_decision, mode: r.live_mode },
        shadow: { decision: r.shadow_decision, mode: r.shadow_mode },
        count: r.n,
        examples: r.examples,
      })),
      versions: rows.filter((r) => r.version !== null).map((r) => r.version!),
      withoutShadow: rows.find((r) => r.version === null)?.n ?? 0,
    };
  }
}
