import type { Pool } from 'pg';
import type { AgentIdentity, AgentStore } from '../../ports/agent-store.js';
import { AirlockError } from '../../domain/errors.js';

export class PgAgentStore implements AgentStore {
  constructor(private readonly pool: Pool) {}

  async create(input: { tenant: string; name: string; keyHash: string; callbackSecret: string }): Promise<AgentIdentity> {
    try {
      const { rows } = await this.pool.query<{ id: string }>(
        'INSERT INTO agents (tenant_id, name, key_hash, callback_secret) VALUES ($1, $2, $3, $4) RETURNING id',
        [input.tenant, input.name, input.keyHash, input.callbackSecret],
      );
      return { id: rows[0]!.id, tenant: input.tenant, name: input.name };
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new AirlockError('conflict', `agent ${input.name} of tenant ${input.tenant} already has a key`);
      }
      throw err;
    }
  }

  async findByKeyHash(keyHash: string) {
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; name: string }>(
      'SELECT id, tenant_id, name FROM agents WHERE key_hash = $1',
      [keyHash],
    );
    const r = rows[0];
    return r ? { id: r.id, tenant: r.tenant_id, name: r.name } : undefined;
  }

  async callbackSecret(tenant: string, agentName: string) {
    const { rows } = await this.pool.query<{ callback_secret: string }>(
      'SELECT callback_secret FROM agents WHERE tenant_id = $1 AND name = $2',
      [tenant, agentName],
    );
    return rows[0]?.callback_secret;
  }
}
