import type { Pool } from 'pg';
import type { CardRef } from '../../ports/approval-notifier.js';
import type { CardClaim, CardStore, StoredCard } from '../../ports/card-store.js';

export class PgCardStore implements CardStore {
  constructor(private readonly pool: Pool) {}

  async claim(tenant: string, actionId: string, round: number, platform: CardRef['platform'], now: Date, staleAfterMs: number): Promise<CardClaim> {
    // Insert claims a fresh card; the conflict branch re-takes only a stale 'posting' claim.
    const { rows } = await this.pool.query<{ fresh: boolean; previous: Date | null }>(
      `WITH prev AS (SELECT claimed_at FROM action_cards WHERE action_id = $2 AND round = $3)
       INSERT INTO action_cards (action_id, round, tenant_id, platform, state, claimed_at) VALUES ($2, $3, $1, $4, 'posting', $5)
       ON CONFLICT (action_id, round) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
         WHERE action_cards.state = 'posting' AND action_cards.claimed_at < EXCLUDED.claimed_at - make_interval(secs => $6 / 1000.0)
       RETURNING (xmax = 0) AS fresh, (SELECT claimed_at FROM prev) AS previous`,
      [tenant, actionId, round, platform, now, staleAfterMs],
    );
    const row = rows[0];
    if (!row) return { kind: 'taken' };
    return row.fresh ? { kind: 'claimed' } : { kind: 'reclaimed', claimedAt: row.previous ?? now };
  }

  async saved(actionId: string, round: number, ref: CardRef, now: Date) {
    await this.pool.query(
      `UPDATE action_cards SET state = 'posted', channel = $3, ts = $4, posted_at = $5 WHERE action_id = $1 AND round = $2`,
      [actionId, round, ref.channel, ref.ts, now],
    );
  }

  async failed(actionId: string, round: number) {
    await this.pool.query(`UPDATE action_cards SET state = 'failed' WHERE action_id = $1 AND round = $2`, [actionId, round]);
  }

  async release(actionId: string, round: number) {
    await this.pool.query(`DELETE FROM action_cards WHERE action_id = $1 AND round = $2 AND state = 'posting'`, [actionId, round]);
  }

  async list(actionId: string): Promise<StoredCard[]> {
    const { rows } = await this.pool.query<{ round: number; platform: 'slack'; channel: string; ts: string }>(
      `SELECT round, platform, channel, ts FROM action_cards WHERE action_id = $1 AND state = 'posted' ORDER BY round`,
      [actionId],
    );
    return rows.map((r) => ({ round: r.round, platform: r.platform, channel: r.channel, ts: r.ts }));
  }
}
