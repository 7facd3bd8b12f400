import { randomBytes } from 'node:crypto';
import type { AgentStore } from '../ports/agent-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { agentKeyEvent, newAgentKey, requireDeclaredAgent, type KeyOperator } from './agent-keys.js';

/**
 * Issues an agent's first key. The key and callback secret are returned once
 * and only the key's digest is stored; the change is audited. Refuses tenants
 * and agents the policy does not declare, so no key exists outside the hard
 * boundary. A second key for the same agent is `agent rotate`.
 */
export function makeCreateAgent(deps: { agents: AgentStore; policy: PolicySource; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return async function createAgent(tenant: string, name: string, operator: KeyOperator = { platform: 'cli', operator: 'unknown', osUser: 'unknown' }) {
    requireDeclaredAgent(deps.policy.current(), tenant, name);
    const key = newAgentKey();
    const callbackSecret = `whsec_${randomBytes(32).toString('base64url')}`;
    const at = clock.now();
    const agent = await deps.agents.create({
      tenant,
      name,
      keyId: key.id,
      keyHash: key.hash,
      callbackSecret,
      at,
      audit: (a) => agentKeyEvent('created', a, operator, at, { key_id: key.id }),
    });
    return { id: agent.id, tenant, agent: name, key_id: key.id, key: key.key, callback_secret: callbackSecret };
  };
}
