import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditEvent } from '../domain/audit-event.js';
import { AirlockError } from '../domain/errors.js';
import type { Policy } from '../domain/policy-model.js';

/** Keys are 256-bit random, so an unsalted SHA-256 digest is what is stored and looked up. */
export const hashAgentKey = (key: string) => hash('sha256', key, 'hex');

/** A fresh key: shown once to the operator, stored only as its digest. */
export function newAgentKey() {
  const key = `alk_${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), key, hash: hashAgentKey(key) };
}

/**
 * Who changed a key: an operator at the CLI, by the name they gave (`--as`,
 * else their OS user) and the OS user who ran the command, since `--as` is
 * only a claim.
 */
export interface KeyOperator {
  platform: 'cli';
  operator: string;
  osUser: string;
}

/**
 * Why the policy does not declare this agent, or undefined when it does. The
 * one place agent keys look agents up in the policy.
 */
export function undeclaredAgent(policy: Policy, tenant: string, agent: string): string | undefined {
  const t = policy.tenants.get(tenant);
  if (!t) return `tenant ${tenant} is not declared in the policy`;
  if (!t.agents.has(agent)) return `agent ${agent} is not declared under tenants.${tenant}.agents in the policy`;
  return undefined;
}

export function requireDeclaredAgent(policy: Policy, tenant: string, agent: string): void {
  const why = undeclaredAgent(policy, tenant, agent);
  if (why) throw new AirlockError('validation_failed', why);
}

/** The `agent_key` audit event: who changed which key of which agent; never a key or its digest. */
export function agentKeyEvent(
  change: 'created' | 'rotated' | 'revoked',
  agent: { tenant: string; name: string },
  operator: KeyOperator,
  at: Date,
  details: Record<string, unknown>,
): AuditEvent {
  return { tenant: agent.tenant, kind: 'agent_key', at, data: { change, tenant: agent.tenant, agent: agent.name, operator: { platform: operator.platform, operator: operator.operator, os_user: operator.osUser }, ...details } };
}
