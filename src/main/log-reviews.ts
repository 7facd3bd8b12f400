import type { Logger } from 'pino';
import type { ReviewerIdentity } from '../domain/action.js';
import { actionLogFields } from '../domain/log-fields.js';
import type { makeOperatorReview } from '../usecases/operator-review.js';
import type { ReviewCommand, ReviewResult } from '../usecases/record-review.js';

type RecordReview = (cmd: ReviewCommand) => Promise<ReviewResult>;
type OperatorReview = ReturnType<typeof makeOperatorReview>;

/**
 * Review logging for one process's use cases: `recordReview` (clicks, and the
 * CLI's reviews once the reviewer is found) logs every result; `operatorReview`
 * adds the line for an operator refused before the reviewer was found (no
 * such action, not a listed member, ...). It hands back recordReview's result
 * as it is, so a result already logged is known by its identity and an
 * operator's review is one line, not two.
 */
export function reviewLogs(log: Logger) {
  const logged = new WeakSet<ReviewResult>();
  return {
    recordReview:
      (recordReview: RecordReview): RecordReview =>
      async (cmd) => {
        const startedAt = performance.now();
        const result = await recordReview(cmd);
        logReview(log, cmd.reviewer, cmd, result, startedAt);
        logged.add(result);
        return result;
      },
    operatorReview:
      (operatorReview: OperatorReview): OperatorReview =>
      async (tenant, actionId, input) => {
        const startedAt = performance.now();
        const result = await operatorReview(tenant, actionId, input);
        if (!logged.has(result)) logReview(log, { userId: input.as, via: { kind: 'cli', operator: input.operator } }, { actionId, decision: input.decision }, result, startedAt);
        return result;
      },
  };
}

/**
 * One `review` line per review, accepted or refused: `outcome` is the
 * action's new status when the review decided it (`approved`, `denied`),
 * `counted` when an approval counted towards a quorum, `already_decided`, or
 * `refused` with `refused_because` (the audit trail's code). The reviewer is
 * named by their platform id; their reason and any changed arguments are
 * never logged.
 */
function logReview(log: Logger, reviewer: Pick<ReviewerIdentity, 'userId' | 'via'> & { platform?: string }, attempt: { actionId: string; decision: 'approve' | 'deny' }, result: ReviewResult, startedAt: number) {
  const action = result.action;
  log.info(
    {
      ...(action ? actionLogFields(action) : { action_id: attempt.actionId, ...(result.kind === 'refused' && result.tenant ? { tenant: result.tenant } : {}) }),
      ...(reviewer.platform ? { platform: reviewer.platform } : {}),
      reviewer: reviewer.userId,
      ...(reviewer.via ? { via: reviewer.via.kind, operator: reviewer.via.operator } : {}),
      decision: attempt.decision,
      outcome: outcomeOf(result),
      ...(result.kind === 'refused' ? { refused_because: result.because } : {}),
      latency_ms: Math.round((performance.now() - startedAt) * 10) / 10,
    },
    'review',
  );
}

function outcomeOf(result: ReviewResult): string {
  if (result.kind !== 'accepted') return result.kind;
  return result.decided ? result.action.status : 'counted';
}
