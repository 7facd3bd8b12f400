import type { Action, ActionResult } from '../domain/action.js';
import type { ResultOutcome } from '../domain/action-status.js';
import type { ArgsDigests } from '../domain/args-digest.js';
import { checkExecutedArgs } from '../domain/args-edit.js';
import { actionAuditFields } from '../domain/audit-event.js';
import { AirlockError, notFound } from '../domain/errors.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentIdentity } from '../ports/agent-store.js';
import type { Clock } from '../ports/clock.js';
import { ownAction } from './get-action.js';

export interface ReportResultInput {
  outcome: ResultOutcome;
  detail?: string;
  external_ref?: string;
  /** The arguments the agent executed, in full (its own values for redacted fields). Checked, never stored. */
  args: Record<string, unknown>;
}

/**
 * The agent reports what happened, once. Only actions the agent was allowed to
 * execute (in some mode) take a result. The reported arguments are checked
 * against the bound ones (the submitted arguments with every approved edit):
 * a difference is recorded as a violation, not refused, because the audit
 * trail must show what the agent says it ran. They are never stored.
 */
export function makeReportResult(deps: { store: ActionStore; clock: Clock; digests: ArgsDigests; onRecorded?: (a: Action) => void }) {
  return async function reportResult(agent: AgentIdentity, id: string, input: ReportResultInput): Promise<Action> {
    const action = await ownAction(deps.store, agent, id);
    if (!action) throw notFound('action');
    if (action.result) throw new AirlockError('conflict', 'a result was already reported for this action');
    // Executable: approved, decided in some mode, or expired into a fallback mode.
    const executable = action.status === 'approved' || ((action.status === 'decided' || action.status === 'expired') && action.decision !== 'deny');
    if (!executable) {
      throw new AirlockError('conflict', `an action that is ${action.status}${action.status === 'decided' ? ` (${action.decision})` : ''} takes no result`);
    }
    const now = deps.clock.now();
    const check = checkExecutedArgs({
      executed: input.args,
      view: action.approvedArgs ?? action.args,
      submittedView: action.args,
      edits: action.argsEdits,
      redact: action.redact,
      submittedDigest: action.submittedArgsDigest,
      digests: deps.digests,
    });
    const bound = action.argsVersion > 1 ? `version ${action.argsVersion} of the arguments (approved with changes)` : 'the submitted arguments';
    const violation = check.ok
      ? undefined
      : `executed arguments differ from ${bound}: ${[...check.differs, ...(check.redactedDiffers ? ['a redacted argument'] : [])].join(', ')}`;
    const result: ActionResult = {
      outcome: input.outcome,
      detail: input.detail,
      externalRef: input.external_ref,
      argsCheck: check.ok ? 'match' : 'mismatch',
      violation,
      at: now,
    };
    const updated = await deps.store.recordResult(agent.tenant, id, result, ['approved', 'decided', 'expired'], {
      tenant: agent.tenant,
      kind: 'result',
      actionId: id,
      at: now,
      data: actionAuditFields(action, {
        status: input.outcome,
        execution_result: { outcome: input.outcome, detail: input.detail ?? null, external_ref: input.external_ref ?? null, args_check: result.argsCheck },
        violation: violation ?? null,
      }),
    });
    if (!updated) throw new AirlockError('conflict', 'a result was already reported for this action');
    deps.onRecorded?.(updated);
    return updated;
  };
}
