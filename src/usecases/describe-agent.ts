import { AirlockError } from '../domain/errors.js';
import type { AgentIdentity } from '../ports/agent-store.js';
import type { PolicySource } from '../ports/policy-source.js';

export interface AgentProfile {
  tenant: string;
  agent: string;
  /** The tools the policy registers for this agent (its hard boundary), sorted. Anything else is denied. */
  tools: string[];
  /** The environments its requests may name. */
  environments: string[];
  mcp: { hide_unregistered_tools: boolean };
}

/**
 * What the policy lets an authenticated agent call, for clients that adapt
 * to it (the MCP gateway lists only these tools when the policy says so).
 * It reveals nothing the agent could not learn by being denied: no modes,
 * rules, reviewers or other agents.
 */
export function makeDescribeAgent(deps: { policy: PolicySource }) {
  return function describeAgent(agent: AgentIdentity): AgentProfile {
    const policy = deps.policy.current();
    const tenant = policy.tenants.get(agent.tenant);
    const declared = tenant?.agents.get(agent.name);
    if (!tenant || !declared) throw new AirlockError('forbidden', `agent ${agent.name} is not declared in tenant ${agent.tenant}`);
    return {
      tenant: agent.tenant,
      agent: agent.name,
      tools: [...declared.tools].filter((t) => policy.tools.has(t)).sort(),
      environments: [...(declared.environments ?? tenant.environments)].sort(),
      mcp: { hide_unregistered_tools: declared.hideUnregisteredTools ?? false },
    };
  };
}
