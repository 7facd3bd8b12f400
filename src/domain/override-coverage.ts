import type { Action } from './action.js';
import type { Decision, Mode } from './decision.js';
import type { Policy, TenantOverrides } from './policy-model.js';

/** How an admin override ends a pending approval. */
export interface OverrideEnd {
  status: 'denied' | 'decided';
  decision: Decision;
  mode: Mode;
  rule: string;
  /** Why, for `outcome_detail`, the agent and the card. */
  detail: string;
}

/**
 * Whether the tenant's current overrides cover a pending approval, and how it
 * ends if so. The same precedence as intake (killed agent, denylist, incident mode, mode override): a
 * killed agent or a denied tool denies; incident mode falls a non-low-risk
 * tool back to its safest mode; a runtime mode `off` denies and a constrained
 * runtime mode constrains. `allow` and `approval_required` leave the approval
 * open. Reviews are decided against this, so an override always wins over a
 * click that arrives after it.
 */
export function overrideEnd(policy: Policy, overrides: TenantOverrides, action: Pick<Action, 'agent' | 'tool' | 'risk'>): OverrideEnd | undefined {
  const because = (what: string, stamp?: { reason?: string; by?: string }) =>
    `${what}${stamp?.by ? ` by ${stamp.by}` : ''}${stamp?.reason ? `: ${stamp.reason}` : ''}`;
  const denied = (rule: string, detail: string): OverrideEnd => ({ status: 'denied', decision: 'deny', mode: 'off', rule, detail });

  const killed = overrides.killedAgents.get(action.agent);
  if (killed) return denied('overrides.kill_agent', because(`agent ${action.agent} was killed`, killed));
  const deniedTool = overrides.deniedTools.get(action.tool);
  if (deniedTool) return denied('overrides.deny_tool', because(`tool ${action.tool} was denied`, deniedTool));
  if (overrides.incident.on && action.risk !== 'low') {
    const safest = policy.tools.get(action.tool)?.safestMode ?? 'off';
    const detail = `incident mode is on${overrides.incident.reason ? `: ${overrides.incident.reason}` : ''}`;
    return safest === 'off'
      ? denied('overrides.incident', `${detail}; ${action.tool}'s safest mode is off`)
      : { status: 'decided', decision: 'fallback', mode: safest, rule: 'overrides.incident', detail: `${detail}; fell back to ${safest}` };
  }
  const mode = overrides.toolModes.get(action.tool);
  if (mode === 'off') return denied('overrides.mode', `an admin set ${action.tool} to mode off`);
  if (mode === 'observe' || mode === 'search_only' || mode === 'draft_write') {
    return { status: 'decided', decision: 'constrain', mode, rule: 'overrides.mode', detail: `an admin set ${action.tool} to mode ${mode}` };
  }
  return undefined;
}
