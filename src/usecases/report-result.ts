import type { Action, ActionResult } from '../domain/action.js';
import type { ResultOutcome } from '../domain/action-status.js';
import { actionAuditFields } from '../domain/audit-event.js';
import { AirlockError, notFound } from '../domain/errors.js';
import type { ActionStore } from '../ports/action-store.js';
import type { Clock } from '../ports/clock.js';

export interface ReportResultInput {
  outcome: ResultOutcome;
  detail?: string;
  external_ref?: string;
  args_sha256?: string;
}

/**
 * The agent reports what happened, once. Only actions the agent was allowed to
 * execute (in some mode) take a result. An `args_sha256` that differs from the
 * approved arguments is recorded as a violation, not refused: the audit trail
 * must show what the agent says it ran.
 */
export function makeReportResult(deps: { store: ActionStore; clock: Clock; onRecorded?: (a: Action) => void }) {
  return async function reportResult(tenant: string, id: string, input: ReportResultInput): Promise<Action> {
    const action = await deps.store.get(tenant, id);
    if (!action) throw notFound('action');
    if (action.result) throw new AirlockError('conflict', 'a result was already reported for this action');
    // Executable: approved, decided in some mode, or expired into a fallback mode.
    const executable = action.status === 'approved' || ((action.status === 'decided' || action.status === 'expired') && action.decision !== 'deny');
    if (!executable) {
      throw new AirlockError('conflict', `an action that is ${action.status}${action.status === 'decided' ? ` (${action.decision})` : ''} takes no result`);
    }
    const now = deps.clock.now();
    // args_sha256 is what the decision is bound to: the submitted arguments, or the approved ones after edits.
    const expected = action.argsSha256;
    const violation =
      input.args_sha256 !== undefined && input.args_sha256 !== expected
        ? `reported args_sha256 ${input.args_sha256} differs from the ${action.status === 'approved' ? 'approved' : 'submitted'} arguments ${expected}`
        : undefined;
    const result: ActionResult = {
      outcome: input.outcome,
      detail: input.detail,
      externalRef: input.external_ref,
      argsSha256: input.args_sha256,
      violation,
      at: now,
    };
    const updated = await deps.store.recordResult(tenant, id, result, ['approved', 'decided', 'expired'], {
      tenant,
      kind: 'result',
      actionId: id,
      at: now,
      data: {
        ...actionAuditFields(action),
        status: input.outcome,
        execution_result: { outcome: input.outcome, detail: input.detail ?? null, external_ref: input.external_ref ?? null },
        violation: violation ?? null,
      },
    });
    if (!updated) throw new AirlockError('conflict', 'a result was already reported for this action');
    deps.onRecorded?.(updated);
    return updated;
  };
}
