import type { Action } from './action.js';

/**
 * What a log line may say about an action: its ids and the names the
 * policy declares (tenant, agent, tool, rule, version). Never its arguments,
 * summary, context, requester or a reviewer's reason: those are what agents
 * and people wrote, may hold what redaction hides from the log's readers,
 * and are in the audit trail for whoever may read them.
 */
export function actionLogFields(a: Action) {
  return {
    action_id: a.id,
    tenant: a.tenant,
    agent: a.agent,
    tool: a.tool,
    rule: a.rule,
    policy_version: a.policyVersion,
  };
}
