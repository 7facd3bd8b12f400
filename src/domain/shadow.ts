import type { Decision, Mode } from './decision.js';
import { evaluatePolicy, type EvaluationRequest } from './evaluate-policy.js';
import type { Policy, TenantOverrides } from './policy-model.js';

/**
 * What a shadow policy would have decided for a live request: recorded with
 * the action and in its decision event, never enforced and never shown to
 * the agent.
 */
export interface ShadowDecision {
  policyVersion: string;
  decision: Decision;
  mode: Mode;
  rule: string;
}

/**
 * The shadow policy's decision for a request, under the same admin overrides
 * as the live one. Review-queue saturation is not judged (it is the live
 * queue's state, not the candidate's). Pure.
 */
export function shadowDecision(policy: Policy, overrides: TenantOverrides, request: EvaluationRequest): ShadowDecision {
  const d = evaluatePolicy({ policy, overrides, request });
  return { policyVersion: policy.fileVersion, decision: d.decision, mode: d.mode, rule: d.rule };
}

/** The shadow as an audit event and a stored record carry it. */
export const shadowFields = (s: ShadowDecision) => ({ policy_version: s.policyVersion, decision: s.decision, mode: s.mode, rule: s.rule });
