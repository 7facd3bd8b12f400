import { AirlockError } from '../domain/errors.js';
import type { AgentIdentity, AgentStore } from '../ports/agent-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';
import { hashAgentKey, undeclaredAgent } from './agent-keys.js';

/**
 * Bearer key → agent. The key must be usable (neither revoked nor past a
 * rotation's grace period), and the policy must still declare its agent:
 * removing an agent (or its tenant) from the policy stops its keys at the next
 * request, with `forbidden`. Lookups by key digest may be cached by the
 * store, which drops them on any key change.
 */
export function makeAuthenticateAgent(deps: { agents: AgentStore; policy: PolicySource; clock?: Clock }) {
  const clock = deps.clock ?? systemClock;
  return async function authenticateAgent(authorization: string | undefined): Promise<AgentIdentity> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new AirlockError('unauthenticated', 'missing or malformed Authorization: Bearer <agent key>');
    const found = await deps.agents.findByKeyHash(hashAgentKey(m[1]!), clock.now());
    if (!found) throw new AirlockError('unauthenticated', 'unknown, revoked or expired agent key');
    const why = undeclaredAgent(deps.policy.current(), found.agent.tenant, found.agent.name);
    if (why) throw new AirlockError('forbidden', `${why}: this agent key no longer works`);
    return found.agent;
  };
}
