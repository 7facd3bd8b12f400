import { LRUCache } from 'lru-cache';
import type { Pool, PoolClient } from 'pg';
import type { AuditEvent } from '../../domain/audit-event.js';
import { AirlockError } from '../../domain/errors.js';
import type { AgentIdentity, AgentKeyView, AgentStore, AgentView } from '../../ports/agent-store.js';
import { withTransaction } from './transaction.js';

/** How long a key lookup is reused; key changes invalidate at once (`invalidateKeys`), this bounds a missed notice. */
const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

interface KeyRow {
  id: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const keyView = (r: KeyRow): AgentKeyView => ({
  id: r.id,
  createdAt: r.created_at,
  ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
  ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
});

/** A key is usable at $2 when neither revoked nor past its grace period. */
const USABLE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)';

async function insertAudit(client: PoolClient, event: AuditEvent) {
  await client.query('INSERT INTO audit_events (tenant_id, kind, action_id, at, data) VALUES ($1, $2, $3, $4, $5)', [
    event.tenant, event.kind, event.actionId ?? null, event.at, JSON.stringify(event.data),
  ]);
}

/** The agent row, locked, so concurrent rotations and revocations of one agent apply one after the other. */
async function lockAgent(client: PoolClient, tenant: string, name: string): Promise<AgentIdentity> {
  const { rows } = await client.query<{ id: string }>('SELECT id FROM agents WHERE tenant_id = $1 AND name = $2 FOR UPDATE', [tenant, name]);
  if (!rows[0]) throw new AirlockError('not_found', `agent ${name} of tenant ${tenant} has no keys: use agent create`);
  return { id: rows[0].id, tenant, name };
}

/**
 * Agents and their keys in Postgres. Key lookups (every authenticated
 * request) are cached per process; main wires `invalidateKeys` to the
 * `airlock_agent_keys` NOTIFY that every revocation or grace period sends,
 * so a revoked key stops working on every process at once.
 */
export class PgAgentStore implements AgentStore {
  // Bounded: a flood of distinct unknown keys is never cached (only found keys are), and known ones are evicted least recently used first.
  private readonly cache = new LRUCache<string, { found: { agent: AgentIdentity; expiresAt?: Date }; until: number }>({ max: CACHE_MAX });
  // Bumped by every invalidation: a lookup that started before one is not cached, since it may have read a key just revoked.
  private generation = 0;

  constructor(private readonly pool: Pool) {}

  invalidateKeys(): void {
    this.generation++;
    this.cache.clear();
  }

  async create(input: Parameters<AgentStore['create']>[0]): Promise<AgentIdentity> {
    try {
      return await withTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO agents (tenant_id, name, callback_secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [input.tenant, input.name, input.callbackSecret, input.at],
        );
        const agent = { id: rows[0]!.id, tenant: input.tenant, name: input.name };
        await client.query('INSERT INTO agent_keys (id, agent_id, key_hash, created_at) VALUES ($1, $2, $3, $4)', [input.keyId, agent.id, input.keyHash, input.at]);
        await insertAudit(client, input.audit(agent));
        return agent;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new AirlockError('conflict', `agent ${input.name} of tenant ${input.tenant} already exists: use agent rotate for a new key`);
      }
      throw err;
    }
  }

  async rotate(input: Parameters<AgentStore['rotate']>[0]) {
    return withTransaction(this.pool, async (client) => {
      const agent = await lockAgent(client, input.tenant, input.name);
      const grace = input.previousUntil.getTime() > input.at.getTime();
      // Returns the previous keys as they are now: revoked, or with the end of their grace period.
      const { rows } = await client.query<KeyRow>(
        `UPDATE agent_keys SET
           revoked_at = CASE WHEN $3 THEN revoked_at ELSE $2 END,
           expires_at = CASE WHEN $3 THEN LEAST(COALESCE(expires_at, 'infinity'), $4) ELSE expires_at END
         WHERE agent_id = $1 AND ${USABLE}
         RETURNING id, created_at, expires_at, revoked_at`,
        [agent.id, input.at, grace, input.previousUntil],
      );
      await client.query('INSERT INTO agent_keys (id, agent_id, key_hash, created_at) VALUES ($1, $2, $3, $4)', [input.keyId, agent.id, input.keyHash, input.at]);
      const previous = rows.map(keyView);
      await insertAudit(client, input.audit(agent, previous));
      return { agent, previous };
    });
  }

  async revoke(input: Parameters<AgentStore['revoke']>[0]) {
    return withTransaction(this.pool, async (client) => {
      const agent = await lockAgent(client, input.tenant, input.name);
      const { rows } = await client.query<KeyRow>(
        `UPDATE agent_keys SET revoked_at = $2 WHERE agent_id = $1 AND ${USABLE} AND ($3::uuid IS NULL OR id = $3)
         RETURNING id, created_at, expires_at, revoked_at`,
        [agent.id, input.at, input.keyId ?? null],
      );
      if (input.keyId && rows.length === 0) {
        throw new AirlockError('not_found', `agent ${input.name} of tenant ${input.tenant} has no usable key ${input.keyId}`);
      }
      const revoked = rows.map(keyView);
      if (revoked.length > 0) await insertAudit(client, input.audit(agent, revoked));
      return { agent, revoked };
    });
  }

  async list(tenant?: string): Promise<AgentView[]> {
    const { rows } = await this.pool.query<{ agent_id: string; tenant_id: string; name: string; agent_created: Date } & Partial<KeyRow>>(
      `SELECT a.id AS agent_id, a.tenant_id, a.name, a.created_at AS agent_created, k.id, k.created_at, k.expires_at, k.revoked_at
       FROM agents a LEFT JOIN agent_keys k ON k.agent_id = a.id
       WHERE $1::text IS NULL OR a.tenant_id = $1
       ORDER BY a.tenant_id, a.name, k.created_at`,
      [tenant ?? null],
    );
    const agents = new Map<string, AgentView>();
    for (const r of rows) {
      let a = agents.get(r.agent_id);
      if (!a) {
        a = { id: r.agent_id, tenant: r.tenant_id, name: r.name, createdAt: r.agent_created, keys: [] };
        agents.set(r.agent_id, a);
      }
      if (r.id) a.keys.push(keyView(r as KeyRow));
    }
    return [...agents.values()];
  }

  async findByKeyHash(keyHash: string, at: Date) {
    const hit = this.cache.get(keyHash);
    if (hit && hit.until > at.getTime()) return hit.found;
    const generation = this.generation;
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; name: string; key_id: string; expires_at: Date | null }>(
      `SELECT a.id, a.tenant_id, a.name, k.id AS key_id, k.expires_at FROM agent_keys k JOIN agents a ON a.id = k.agent_id
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)`,
      [keyHash, at],
    );
    const r = rows[0];
    if (!r) return undefined;
    const found = { agent: { id: r.id, tenant: r.tenant_id, name: r.name, keyId: r.key_id }, ...(r.expires_at ? { expiresAt: r.expires_at } : {}) };
    if (generation === this.generation) {
      this.cache.set(keyHash, { found, until: Math.min(at.getTime() + CACHE_TTL_MS, r.expires_at?.getTime() ?? Infinity) });
    }
    return found;
  }

  async callbackSecret(tenant: string, agentName: string) {
    const { rows } = await this.pool.query<{ callback_secret: string }>(
      'SELECT callback_secret FROM agents WHERE tenant_id = $1 AND name = $2',
      [tenant, agentName],
    );
    return rows[0]?.callback_secret;
  }
}
