import type { Pool } from 'pg';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { CardRef } from '../../ports/chat-platform.js';
import type { CardClaim, CardStore, StoredCard } from '../../ports/card-store.js';

export class PgCardStore implements CardStore {
  constructor(private readonly pool: Pool) {}

  async claim(tenant: string, actionId: string, round: number, platform: string, now: Date, staleAfterMs: number): Promise<CardClaim> {
    // Insert claims a fresh card; the conflict branch re-takes only a stale 'posting' claim.
    const { rows } = await this.pool.query<{ fresh: boolean; previous: Date | null }>(
      `WITH prev AS (SELECT claimed_at FROM action_cards WHERE action_id = $2 AND round = $3 AND platform = $4)
       INSERT INTO action_cards (action_id, round, tenant_id, platform, state, claimed_at) VALUES ($2, $3, $1, $4, 'posting', $5)
       ON CONFLICT (action_id, round, platform) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
         WHERE action_cards.state = 'posting' AND action_cards.claimed_at < EXCLUDED.claimed_at - make_interval(secs => $6 / 1000.0)
       RETURNING (xmax = 0) AS fresh, (SELECT claimed_at FROM prev) AS previous`,
      [tenant, actionId, round, platform, now, staleAfterMs],
    );
    const row = rows[0];
    if (!row) return { kind: 'taken' };
    return row.fresh ? { kind: 'claimed' } : { kind: 'reclaimed', claimedAt: row.previous ?? now };
  }

  async saved(actionId: string, round: number, ref: CardRef, now: Date, audit: AuditEvent) {
    await this.settle(actionId, round, ref.platform, { state: 'posted', ref, at: now }, audit);
  }

  async held(actionId: string, round: number, platform: string, audit: AuditEvent) {
    await this.settle(actionId, round, platform, { state: 'held', ref: null, at: null }, audit);
  }

  /** A claimed card posted or held: its row, its audit event and the round's debt, in one statement. */
  private async settle(actionId: string, round: number, platform: string, to: { state: 'posted' | 'held'; ref: CardRef | null; at: Date | null }, audit: AuditEvent) {
    await this.pool.query(
      `WITH c AS (
         UPDATE action_cards SET state = $4, ref = $5, posted_at = $6 WHERE action_id = $1 AND round = $2 AND platform = $3
         RETURNING tenant_id
       ), e AS (
         INSERT INTO audit_events (tenant_id, kind, action_id, at, data) SELECT c.tenant_id, $7, $1, $8, $9 FROM c
       ), paid AS (
         DELETE FROM card_debts WHERE action_id = $1 AND round = $2 AND platforms <@ ARRAY[$3::text]
       )
       UPDATE card_debts SET platforms = array_remove(platforms, $3) WHERE action_id = $1 AND round = $2 AND NOT platforms <@ ARRAY[$3::text]`,
      [actionId, round, platform, to.state, to.ref && JSON.stringify(to.ref), to.at, audit.kind, audit.at, JSON.stringify(audit.data)],
    );
  }

  async failed(actionId: string, round: number, platform: string) {
    const { rows } = await this.pool.query<{ owed: number; posted: number }>(
      `WITH c AS (
         INSERT INTO action_cards (action_id, round, tenant_id, platform, state, claimed_at)
         SELECT id, $2, tenant_id, $3, 'failed', now() FROM actions WHERE id = $1
         ON CONFLICT (action_id, round, platform) DO UPDATE SET state = 'failed'
       ), paid AS (
         DELETE FROM card_debts WHERE action_id = $1 AND round = $2 AND platforms <@ ARRAY[$3::text]
       ), a AS (
         UPDATE card_debts SET platforms = array_remove(platforms, $3) WHERE action_id = $1 AND round = $2 AND NOT platforms <@ ARRAY[$3::text]
         RETURNING platforms
       )
       SELECT COALESCE((SELECT cardinality(platforms) FROM a), 0) AS owed,
              (SELECT count(*)::int FROM action_cards WHERE action_id = $1 AND round = $2 AND state = 'posted' AND platform <> $3) AS posted`,
      [actionId, round, platform],
    );
    return { owed: rows[0]!.owed, posted: rows[0]!.posted };
  }

  async release(actionId: string, round: number, platform: string) {
    await this.pool.query(`DELETE FROM action_cards WHERE action_id = $1 AND round = $2 AND platform = $3 AND state = 'posting'`, [actionId, round, platform]);
  }

  async list(actionId: string): Promise<StoredCard[]> {
    const { rows } = await this.pool.query<{ round: number; ref: CardRef }>(
      `SELECT round, ref FROM action_cards WHERE action_id = $1 AND state = 'posted' AND ref IS NOT NULL ORDER BY round, platform`,
      [actionId],
    );
    return rows.map((r) => ({ round: r.round, ref: r.ref }));
  }
}
