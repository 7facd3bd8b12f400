import { createHash, randomBytes } from 'node:crypto';
import { AirlockError } from '../domain/errors.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { PolicySource } from '../ports/policy-source.js';

export const hashAgentKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Issues an agent key. The key and callback secret are returned once and only
 * the key's hash is stored. Refuses tenants and agents the policy does not
 * declare, so no key exists outside the hard boundary.
 */
export function makeCreateAgent(deps: { agents: AgentStore; policy: PolicySource }) {
  return async function createAgent(tenant: string, name: string) {
    const policy = deps.policy.current();
    const t = policy.tenants.get(tenant);
    if (!t) throw new AirlockError('validation_failed', `tenant ${tenant} is not declared in the policy`);
    if (!t.agents.has(name)) throw new AirlockError('validation_failed', `agent ${name} is not declared under tenants.${tenant}.agents in the policy`);
    const key = `alk_${randomBytes(32).toString('base64url')}`;
    const callbackSecret = `whsec_${randomBytes(32).toString('base64url')}`;
    const agent = await deps.agents.create({ tenant, name, keyHash: hashAgentKey(key), callbackSecret });
    return { id: agent.id, tenant, agent: name, key, callback_secret: callbackSecret };
  };
}
