import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/infra/postgres/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Upgrades keep what is there: a database written by an older Airlock is
 * migrated to the current schema with its cards, owed cards and Teams
 * connector URLs intact.
 */
let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** A pending Slack approval as the schema of migration 0007 stored it (one card per action and round). */
async function pendingApproval(id: string) {
  await pool.query(
    `INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version, args, args_sha256,
       requester, environment, context, risk, effects, reviewer_group, required_approvals, created_at, request_hash, submitted_args_digest)
     VALUES ($1, 'acme', 'bot', 'send_email', 'pending', 'queue_for_approval', 'approval_required', '[]', 'tools.send_email', 'none', 'v1',
       '{"to":"x@example.com"}', 'h', '{"id":"U0SAM"}', 'production', '{}', 'high', '[]', 'leads', 1, now(), 'r', 'd')`,
    [id],
  );
}

describe('migrations', () => {
  it('keep existing cards per action, round and platform, owe the cards not yet posted, and keep Teams connector URLs', async () => {
    await migrate(pool, { through: '0007' });
    const carded = randomUUID();
    const owed = randomUUID();
    await pendingApproval(carded);
    await pendingApproval(owed);
    await pool.query(
      "INSERT INTO action_cards (action_id, round, tenant_id, platform, state, channel, ts, claimed_at, posted_at) VALUES ($1, 0, 'acme', 'slack', 'posted', 'C0LEADS', '1700000000.000100', now(), now())",
      [carded],
    );

    await migrate(pool, { through: '0016' });
    await pool.query("INSERT INTO teams_service_urls (aad_tenant_id, service_url, seen_at) VALUES ('aad-tenant-acme', 'https://smba.example/emea/', now())");

    const applied = await migrate(pool);
    expect(applied[0]).toMatch(/^0017_/);
    expect((await pool.query('SELECT action_id, round, platform, state, ref FROM action_cards')).rows).toEqual([
      { action_id: carded, round: 0, platform: 'slack', state: 'posted', ref: { platform: 'slack', channel: 'C0LEADS', ts: '1700000000.000100' } },
    ]);
    expect((await pool.query('SELECT action_id, round, platforms FROM card_debts')).rows).toEqual([{ action_id: owed, round: 0, platforms: ['slack'] }]);
    expect((await pool.query('SELECT count(*)::int AS n FROM action_payloads WHERE action_id = ANY($1)', [[carded, owed]])).rows[0].n).toBe(2);
    expect((await pool.query('SELECT platform, workspace_id, url FROM chat_endpoints')).rows).toEqual([
      { platform: 'teams', workspace_id: 'aad-tenant-acme', url: 'https://smba.example/emea/' },
    ]);
  });
});

describe('migrating approvals given before reviewer keys were normalised', () => {
  it('keeps a pending approval counting against its approver in another letter case or on another platform with the same email', async () => {
    const old = await createTestDatabase({ empty: true });
    const oldPool = new pg.Pool({ connectionString: old.url, max: 2 });
    try {
      await migrate(oldPool, { through: '0029' });
      const id = randomUUID();
      await oldPool.query(
        `INSERT INTO actions (id, tenant_id, agent, tool, status, decision, mode, reasons, rule, hard_boundary, policy_version, args_sha256,
           requester, environment, risk, effects, reviewer_group, required_approvals, created_at, submitted_args_digest, approvals)
         VALUES ($1, 'acme', 'bot', 'refund', 'pending', 'queue_for_approval', 'approval_required', '[]', 'tools.refund', 'none', 'v1', 'h',
           '{"id":"U0SAM"}', 'production', 'high', '[]', 'leads', 3, now(), 'd', ARRAY['slack:T0ACME:U0LEAD2'])`,
        [id],
      );
      await oldPool.query(
        `INSERT INTO reviews (action_id, tenant_id, reviewer_key, reviewer, decision, at, round, args_version, args_sha256)
         VALUES ($1, 'acme', 'slack:T0ACME:U0LEAD2', $2, 'approve', now(), 0, 1, 'h')`,
        [id, JSON.stringify({ platform: 'slack', userId: 'U0LEAD2', teamId: 'T0ACME', email: ' Lou@ACME.test ' })],
      );

      expect(await migrate(oldPool)).toContain('0030_distinct_approvers.sql');
      const { rows } = await oldPool.query('SELECT approvals, approval_emails FROM actions WHERE id = $1', [id]);
      expect(rows[0]).toEqual({ approvals: ['slack:t0acme:u0lead2'], approval_emails: ['lou@acme.test'] });
      expect((await oldPool.query('SELECT reviewer_key FROM reviews WHERE action_id = $1', [id])).rows).toEqual([{ reviewer_key: 'slack:t0acme:u0lead2' }]);
    } finally {
      await oldPool.end();
      await old.drop();
    }
  });
});
