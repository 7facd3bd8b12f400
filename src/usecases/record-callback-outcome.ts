import { actionAuditFields } from '../domain/audit-event.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';

export type CallbackOutcome = { kind: 'callback_delivered'; status: number | null } | { kind: 'callback_failed'; error: string };

/**
 * Records how a callback ended, once the queue is done with it (delivered,
 * or given up after its retries): an audit event with the target's origin
 * only (a callback URL's path or query may carry a token), and the action
 * marked settled so the reconciler stops re-enqueueing it.
 */
export function makeRecordCallbackOutcome(deps: { actions: ActionStore; audit: AuditLog; clock: Clock; onAudited?: (tenant: string) => void; metrics?: ApprovalMetrics }) {
  return async function recordCallbackOutcome(tenant: string, actionId: string, outcome: CallbackOutcome): Promise<void> {
    if (outcome.kind === 'callback_failed') deps.metrics?.callback('gave_up');
    const action = await deps.actions.get(tenant, actionId);
    if (!action) return;
    const origin = action.callbackUrl ? new URL(action.callbackUrl).origin : null;
    const extra = outcome.kind === 'callback_delivered' ? { status: outcome.status } : { error: outcome.error.slice(0, 200) };
    await deps.audit.append({ tenant, kind: outcome.kind, actionId, at: deps.clock.now(), data: actionAuditFields(action, { callback_origin: origin, ...extra }) });
    await deps.actions.callbackSettled(tenant, actionId, deps.clock.now());
    deps.onAudited?.(tenant);
  };
}
