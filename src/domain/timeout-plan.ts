import type { Mode } from './decision.js';
import type { ToolPolicy } from './policy-model.js';

/** What the deadline of a pending approval does. */
export type TimeoutPlan = { kind: 'deny' } | { kind: 'fallback'; mode: Mode } | { kind: 'escalate'; to: string };

/**
 * The one rule for a deadline, used by the expiry and shown on the card: a
 * first round escalates once to `escalate_to` when the policy still has that
 * group (a second escalation never happens); a fallback needs a safest mode
 * that runs something; anything else is denied.
 */
export function timeoutPlan(tool: ToolPolicy | undefined, round: number, groupExists: (name: string) => boolean): TimeoutPlan {
  const approval = tool?.approval;
  if (approval?.onTimeout === 'escalate' && round === 0 && approval.escalateTo && groupExists(approval.escalateTo)) {
    return { kind: 'escalate', to: approval.escalateTo };
  }
  if (approval?.onTimeout === 'fallback' && tool && tool.safestMode !== 'off') return { kind: 'fallback', mode: tool.safestMode };
  return { kind: 'deny' };
}
