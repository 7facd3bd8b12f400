import { AirlockError } from '../domain/errors.js';
import type { AgentStore } from '../ports/agent-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { agentKeyEvent, type KeyOperator } from './agent-keys.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Revokes an agent's usable keys (or one of them), effective at once on every
 * process. Works whether or not the policy still declares the agent: a
 * revocation is never refused. Audited when something was revoked.
 */
export function makeRevokeAgentKeys(deps: { agents: AgentStore; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return async function revokeAgentKeys(tenant: string, name: string, operator: KeyOperator, keyId?: string) {
    if (keyId !== undefined && !UUID.test(keyId)) throw new AirlockError('validation_failed', `--key must be a key id as agent list shows it (a UUID)`);
    const at = clock.now();
    const { agent, revoked } = await deps.agents.revoke({
      tenant,
      name,
      keyId,
      at,
      audit: (a, keys) => agentKeyEvent('revoked', a, operator, at, { revoked_keys: keys.map((k) => k.id) }),
    });
    return { id: agent.id, tenant, agent: name, revoked_keys: revoked.map((k) => k.id) };
  };
}
