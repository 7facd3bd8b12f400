import type { Action } from './action.js';
import type { OverrideEnd } from './override-coverage.js';
import type { Policy } from './policy-model.js';

/** What a pending approval stands on in the policy: who asked, for which tool, where, and who decides. */
export type ApprovalGround = Pick<Action, 'tenant' | 'agent' | 'tool' | 'environment' | 'reviewerGroup'>;

/**
 * Whether the policy as it is now still lets a pending approval be decided,
 * and how it ends if not. The hard boundary is checked as at intake (the
 * agent declared in its tenant, the tool registered and in the agent's tool
 * list, the environment among the agent's), then the tool's own mode `off`
 * and the reviewer group the approval waits on. Every such end is a denial,
 * as an admin's deny-tool or kill-agent is: nobody may approve what the
 * policy took away, and the agent is told why. Conditions over the request
 * (`when`, rollout) are left out: they read arguments, and only an edit of
 * them re-runs the whole evaluation.
 */
export function withdrawnByPolicy(policy: Policy, ground: ApprovalGround): OverrideEnd | undefined {
  const denied = (rule: string, detail: string): OverrideEnd => ({ status: 'denied', decision: 'deny', mode: 'off', rule, detail });
  const tenant = policy.tenants.get(ground.tenant);
  const agent = tenant?.agents.get(ground.agent);
  if (!tenant) return denied('hard_boundary.unknown_agent', `tenant ${ground.tenant} is no longer in the policy`);
  if (!agent) return denied('hard_boundary.unknown_agent', `agent ${ground.agent} is no longer declared for tenant ${ground.tenant}`);
  const tool = policy.tools.get(ground.tool);
  if (!tool) return denied('hard_boundary.unregistered_tool', `tool ${ground.tool} is no longer registered`);
  if (!agent.tools.has(ground.tool)) return denied('hard_boundary.agent_tools', `tool ${ground.tool} is no longer in the tool list of agent ${ground.agent}`);
  if (!tenant.environments.has(ground.environment) || (agent.environments && !agent.environments.has(ground.environment))) {
    return denied('hard_boundary.agent_environments', `environment ${ground.environment} is no longer allowed for agent ${ground.agent}`);
  }
  if (tool.mode === 'off') return denied(`tools.${tool.name}.mode`, `tool ${tool.name} is switched off (mode off) in the policy`);
  if (ground.reviewerGroup && !tenant.reviewerGroups.has(ground.reviewerGroup)) {
    return denied(`tenants.${tenant.id}.reviewer_groups`, `reviewer group ${ground.reviewerGroup} is no longer in the policy of tenant ${tenant.id}`);
  }
  return undefined;
}
