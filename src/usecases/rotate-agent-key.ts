import type { AgentKeyView, AgentStore } from '../ports/agent-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { agentKeyEvent, newAgentKey, requireDeclaredAgent, type KeyOperator } from './agent-keys.js';

/** When a previous key stops (stopped) working: revoked at once, or the end of its grace period. */
const validUntil = (k: AgentKeyView, at: Date) => ({ id: k.id, valid_until: (k.revokedAt ?? k.expiresAt ?? at).toISOString() });

/**
 * Issues a new key for an agent. Its previous keys stop working at once, or
 * after `graceMs` so the agent can switch without a failed request. Audited;
 * the new key is returned once.
 */
export function makeRotateAgentKey(deps: { agents: AgentStore; policy: PolicySource; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return async function rotateAgentKey(tenant: string, name: string, graceMs: number, operator: KeyOperator) {
    requireDeclaredAgent(deps.policy.current(), tenant, name);
    const key = newAgentKey();
    const at = clock.now();
    const previousUntil = new Date(at.getTime() + graceMs);
    const { agent, previous } = await deps.agents.rotate({
      tenant,
      name,
      keyId: key.id,
      keyHash: key.hash,
      at,
      previousUntil,
      audit: (a, prev) =>
        agentKeyEvent('rotated', a, operator, at, { key_id: key.id, previous_keys: prev.map((k) => validUntil(k, at)) }),
    });
    return {
      id: agent.id,
      tenant,
      agent: name,
      key_id: key.id,
      key: key.key,
      previous_keys: previous.map((k) => validUntil(k, at)),
    };
  };
}
