import type { Pool } from 'pg';
import { NO_OVERRIDES, type TenantOverrides } from '../../domain/policy-model.js';
import type { DecisionWindow, RecordedDecision, RecordedDecisions } from '../../ports/recorded-decisions.js';
import { copyRows, literal } from './audit-chain-rows.js';
import type { CopyRow } from './copy-binary-rows.js';
import { toOverrides, type OverridesRow } from './overrides-repository.js';

/**
 * The columns evaluation read, of a tenant's actions created in a window.
 * Streamed as binary COPY (a million rows, flat memory): jsonb arrives as a
 * version byte and its text, which is parsed only where needed.
 */
export const recordedDecisionsQuery = (tenant: string, since: string, until: string): string => `
  SELECT a.id, a.agent, a.tool, p.args, a.redact, p.context, a.requester, a.workflow, a.environment, a.session_id, p.overrides_version
  FROM actions a JOIN action_payloads p ON p.action_id = a.id
  WHERE a.tenant_id = ${tenant} AND a.created_at >= ${since}::timestamptz AND a.created_at < ${until}::timestamptz`;

/** A jsonb field's text: the binary form is a format version byte (1), then the text. */
const jsonb = (row: CopyRow, i: number): string => row.buf.toString('utf8', row.start[i]! + 1, row.start[i]! + row.len[i]!);

export class PgRecordedDecisions implements RecordedDecisions {
  constructor(private readonly pool: Pool) {}

  async forEach(window: DecisionWindow, visit: (decision: RecordedDecision) => void): Promise<number> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      // One snapshot for the override states and the actions; a plan writes nothing (a read-only role is enough).
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const states = await overrideStates(client, window.tenant);
      const query = recordedDecisionsQuery(literal(client, window.tenant), literal(client, window.since.toISOString()), literal(client, window.until.toISOString()));
      broken = true; // leaving a COPY early leaves the connection unusable
      const count = await copyRows(client, query, (row) => {
        visit({
          id: row.uuid(0),
          agent: row.text(1),
          tool: row.text(2),
          argsJson: jsonb(row, 3),
          redact: JSON.parse(jsonb(row, 4)) as string[],
          context: JSON.parse(jsonb(row, 5)) as Record<string, unknown>,
          requester: JSON.parse(jsonb(row, 6)) as Record<string, unknown>,
          workflow: row.isNull(7) ? null : row.text(7),
          environment: row.text(8),
          sessionId: row.isNull(9) ? null : row.text(9),
          overrides: row.isNull(10) ? undefined : states.get(row.int8(10)),
        });
      });
      broken = false;
      await client.query('COMMIT');
      return count;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Every recorded state of the tenant's overrides, by version. Version 0 is
 * the state before any admin change: none.
 */
async function overrideStates(client: { query: Pool['query'] }, tenant: string): Promise<Map<number, TenantOverrides>> {
  const { rows } = await client.query<{ version: string; state: Omit<OverridesRow, 'version'> }>(
    'SELECT version, state FROM override_versions WHERE tenant_id = $1',
    [tenant],
  );
  const states = new Map<number, TenantOverrides>([[0, NO_OVERRIDES]]);
  for (const r of rows) states.set(Number(r.version), toOverrides({ ...r.state, version: r.version }));
  return states;
}
