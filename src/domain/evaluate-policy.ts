import type { Mode, PolicyDecision, RolloutHit, SafeMode } from './decision.js';
import type { ConditionInput, Policy, TenantOverrides, ToolPolicy } from './policy-model.js';
import { inSlice, rolloutBucket, rolloutKeyValue } from './rollout-bucket.js';

export interface EvaluationRequest {
  tenant: string;
  agent: string;
  tool: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  requester: Record<string, unknown>;
  workflow: string;
  environment: string;
  /** Read only as a rollout bucketing key (`by: session_id`). */
  sessionId?: string;
}

export interface EvaluationInput {
  policy: Policy;
  overrides: TenantOverrides;
  request: EvaluationRequest;
  /**
   * Pending approvals per reviewer group, when the caller knows them. Omitted on
   * the first pass; the caller re-evaluates with it only when the first pass
   * queued (so intake reads the count only for actions that would queue).
   */
  pendingByGroup?: ReadonlyMap<string, number>;
}

/**
 * First match wins, every step that ran leaves a reason. Pure and
 * deterministic: no I/O, no clock, conditions are precompiled. Admin
 * overrides (kill, denylist, incident, a runtime mode) come before the
 * policy's `when` rules, so an admin's switch always wins.
 */
export function evaluatePolicy(input: EvaluationInput): PolicyDecision {
  const { policy, overrides, request } = input;
  const reasons: string[] = [];
  const deny = (rule: string, reason: string, hardBoundary: PolicyDecision['hardBoundary'] = 'passed'): PolicyDecision => ({
    decision: 'deny',
    mode: 'off',
    reasons: [...reasons, reason],
    rule,
    hardBoundary,
  });

  // 1. The agent and its tenant (authentication happened before; here: is it declared, is it killed).
  const tenant = policy.tenants.get(request.tenant);
  const agent = tenant?.agents.get(request.agent);
  if (!tenant || !agent) {
    return deny('hard_boundary.unknown_agent', `agent ${request.agent} is not declared for tenant ${request.tenant}`, 'unknown_agent');
  }
  const killed = overrides.killedAgents.get(request.agent);
  if (killed) {
    return deny('overrides.kill_agent', `agent ${request.agent} is killed${killed.reason ? `: ${killed.reason}` : ''}`, 'agent_killed');
  }
  reasons.push(`agent ${request.agent} of tenant ${request.tenant} is active`);

  // 2. Hard boundary.
  const tool = policy.tools.get(request.tool);
  if (!tool) {
    return deny('hard_boundary.unregistered_tool', `tool ${request.tool} is not registered`, 'unregistered_tool');
  }
  if (!agent.tools.has(request.tool)) {
    return deny('hard_boundary.agent_tools', `tool ${request.tool} is not in the tool list of agent ${request.agent}`, 'not_in_agent_tools');
  }
  if (!tenant.environments.has(request.environment) || (agent.environments && !agent.environments.has(request.environment))) {
    return deny('hard_boundary.agent_environments', `environment ${request.environment} is not in the environments of agent ${request.agent}`, 'environment_not_allowed');
  }
  reasons.push(`tool ${request.tool} in ${request.environment} is within agent ${request.agent}'s hard boundary`);

  // 3. Admin denylist.
  const denied = overrides.deniedTools.get(request.tool);
  if (denied) {
    return deny('overrides.deny_tool', `tool ${request.tool} is denied by an admin${denied.reason ? `: ${denied.reason}` : ''}`);
  }

  // 4. Incident mode: everything but low-risk tools falls back.
  if (overrides.incident.on) {
    if (tool.risk !== 'low') {
      return fallback(reasons, tool, 'overrides.incident', `tenant ${request.tenant} is in incident mode${overrides.incident.reason ? `: ${overrides.incident.reason}` : ''}`);
    }
    reasons.push(`incident mode is on, but ${request.tool} is low risk`);
  }

  // 4b. A runtime mode set by an admin wins over the policy's `when` rules.
  const runtimeMode = overrides.toolModes.get(request.tool);
  if (runtimeMode) {
    return saturationCheck(input, tool, fromMode(reasons, tool, runtimeMode, 'overrides.mode', `runtime mode of ${tool.name} set by an admin is ${runtimeMode}`));
  }

  // 5. `when` conditions, in order.
  const conditionInput: ConditionInput = {
    args: request.args,
    context: request.context,
    requester: request.requester,
    workflow: request.workflow,
    environment: request.environment,
    agent: request.agent,
    tenant: request.tenant,
    tool: request.tool,
  };
  for (const [i, condition] of tool.when.entries()) {
    const rule = `tools.${tool.name}.when[${i}]`;
    let matched: boolean;
    try {
      matched = condition.test(conditionInput);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return fallback(reasons, tool, rule, `condition "${condition.source}" could not be evaluated (${truncate(why)}): policy uncertainty`);
    }
    if (matched) {
      return saturationCheck(input, tool, fromMode(reasons, tool, condition.then, rule, `condition "${condition.source}" matched → ${condition.then}`));
    }
  }

  // 6a. Rollout stages, in order: the first whose segment or slice holds the request gives the mode.
  for (const [i, stage] of (tool.rollout ?? []).entries()) {
    const rule = `tools.${tool.name}.rollout[${i}]`;
    let hit: RolloutHit | undefined;
    let why: string;
    if (stage.kind === 'segment') {
      try {
        if (stage.condition.test(conditionInput)) hit = { stage: i };
      } catch (err) {
        const what = err instanceof Error ? err.message : String(err);
        return fallback(reasons, tool, rule, `rollout segment "${stage.condition.source}" could not be evaluated (${truncate(what)}): policy uncertainty`);
      }
      why = `rollout segment "${stage.condition.source}" matched → ${stage.mode}`;
    } else {
      const value = rolloutKeyValue(stage.by, request);
      if (value === undefined) continue;
      const bucket = rolloutBucket({ tenant: request.tenant, tool: tool.name, stage: i, key: stage.by, value });
      if (inSlice(bucket, stage.percent)) hit = { stage: i, bucket, key: stage.by };
      why = `rollout slice of ${stage.percent}% by ${stage.by} holds bucket ${bucket} → ${stage.mode}`;
    }
    if (hit) return { ...saturationCheck(input, tool, fromMode(reasons, tool, stage.mode, rule, why)), rollout: hit };
  }

  // 6b. The tool's mode.
  return saturationCheck(input, tool, fromMode(reasons, tool, tool.mode, `tools.${tool.name}.mode`, `policy mode of ${tool.name} is ${tool.mode}`));
}

function fromMode(reasons: string[], tool: ToolPolicy, mode: Mode | 'deny', rule: string, reason: string): PolicyDecision {
  const all = [...reasons, reason];
  switch (mode) {
    case 'deny':
    case 'off':
      return { decision: 'deny', mode: 'off', reasons: all, rule, hardBoundary: 'passed' };
    case 'observe':
    case 'search_only':
    case 'draft_write':
      return { decision: 'constrain', mode, reasons: all, rule, hardBoundary: 'passed' };
    case 'approval_required':
      if (!tool.approval) {
        // The schema refuses this combination; kept as a fail-closed guard for runtime mode overrides.
        return fallback(reasons, tool, rule, `${reason}, but ${tool.name} declares no approval rule: policy uncertainty`);
      }
      return { decision: 'queue_for_approval', mode: 'approval_required', reasons: all, rule, hardBoundary: 'passed' };
    case 'allow':
      return { decision: 'allow', mode: 'allow', reasons: all, rule, hardBoundary: 'passed' };
  }
}

// 7. Review queue saturated for the reviewer group.
function saturationCheck(input: EvaluationInput, tool: ToolPolicy, decided: PolicyDecision): PolicyDecision {
  if (decided.decision !== 'queue_for_approval' || !tool.approval || !input.pendingByGroup) return decided;
  const groupName = tool.approval.reviewers;
  const group = input.policy.tenants.get(input.request.tenant)?.reviewerGroups.get(groupName);
  const pending = input.pendingByGroup.get(groupName) ?? 0;
  if (group && pending >= group.maxPending) {
    return fallback(decided.reasons, tool, `tenants.${input.request.tenant}.reviewer_groups.${groupName}.max_pending`,
      `review queue of ${groupName} is saturated (${pending} pending, max ${group.maxPending})`);
  }
  return decided;
}

function fallback(reasons: string[], tool: ToolPolicy, rule: string, reason: string): PolicyDecision {
  const mode: SafeMode = tool.safestMode;
  const all = [...reasons, `${reason} → ${mode}`];
  if (mode === 'off') return { decision: 'deny', mode: 'off', reasons: all, rule, hardBoundary: 'passed' };
  return { decision: 'fallback', mode, reasons: all, rule, hardBoundary: 'passed' };
}

const truncate = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);
