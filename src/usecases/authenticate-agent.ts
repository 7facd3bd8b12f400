import { AirlockError } from '../domain/errors.js';
import type { AgentIdentity, AgentStore } from '../ports/agent-store.js';
import { hashAgentKey } from './create-agent.js';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * Bearer key → agent. Positive lookups are cached briefly (keys are 256-bit
 * random, so the cache is keyed by their hash and never by the key itself).
 */
export function makeAuthenticateAgent(deps: { agents: AgentStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { agent: AgentIdentity; until: number }>();
  return async function authenticateAgent(authorization: string | undefined): Promise<AgentIdentity> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new AirlockError('unauthenticated', 'missing or malformed Authorization: Bearer <agent key>');
    const keyHash = hashAgentKey(m[1]!);
    const hit = cache.get(keyHash);
    if (hit && hit.until > now()) return hit.agent;
    const agent = await deps.agents.findByKeyHash(keyHash);
    if (!agent) throw new AirlockError('unauthenticated', 'unknown agent key');
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(keyHash, { agent, until: now() + CACHE_TTL_MS });
    return agent;
  };
}
