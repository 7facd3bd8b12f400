import type { AgentStore } from '../ports/agent-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { undeclaredAgent } from './agent-keys.js';

export type KeyState = 'active' | 'grace' | 'expired' | 'revoked';

/**
 * Every agent with its keys and their state, and whether the policy still
 * declares the agent (keys of an undeclared agent are refused at
 * authentication whatever their state).
 */
export function makeListAgents(deps: { agents: AgentStore; policy: PolicySource; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return async function listAgents(tenant?: string) {
    const now = clock.now().getTime();
    const policy = deps.policy.current();
    return (await deps.agents.list(tenant)).map((a) => ({
      tenant: a.tenant,
      agent: a.name,
      declared: undeclaredAgent(policy, a.tenant, a.name) === undefined,
      created_at: a.createdAt.toISOString(),
      keys: a.keys.map((k) => {
        const state: KeyState = k.revokedAt ? 'revoked' : !k.expiresAt ? 'active' : k.expiresAt.getTime() > now ? 'grace' : 'expired';
        return {
          id: k.id,
          state,
          created_at: k.createdAt.toISOString(),
          until: (k.revokedAt ?? k.expiresAt)?.toISOString() ?? null,
        };
      }),
    }));
  };
}
