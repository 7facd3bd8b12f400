import type { Logger } from 'pino';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { ChatDirectories, ChatPlatforms } from '../ports/chat-platform.js';
import type { FollowUpErrors } from '../usecases/approval-effects.js';
import { makeExpireAction } from '../usecases/expire-action.js';
import { makeOperatorReview } from '../usecases/operator-review.js';
import { makeRecordReview } from '../usecases/record-review.js';
import { makeResolveActionId } from '../usecases/resolve-action-id.js';
import { makeRunAdminCommand } from '../usecases/run-admin-command.js';
import type { Core } from './container.js';
import { reviewLogs } from './log-reviews.js';

/** Follow-ups (card updates, callbacks) that could not be enqueued are repaired later; they are logged, never thrown at the person who decided. */
export const logFollowUpErrors =
  (log: Logger): FollowUpErrors =>
  (what, err) =>
    log.warn({ err: (err as Error).message }, `${what} could not be enqueued; the reconciler (cards, deadlines, callbacks) or the next click (card re-render) repairs it`);

export interface UseCaseWiring {
  jobs: ApprovalJobs;
  platforms: ChatPlatforms;
  /**
   * Where a reviewer named by an operator is looked up (default: the
   * platforms). The CLI reads the directories without running a chat app.
   */
  directories?: ChatDirectories;
  /** Where reviews and expiries are counted: the process's /metrics, or in the CLI, which nobody scrapes, counts it hands over to the worker. */
  metrics?: ApprovalMetrics;
  /** Runs an admin command's follow-up work (card updates, notices) without holding its reply. */
  background: (what: string, task: () => Promise<unknown>) => void;
}

/**
 * The use cases that decide approvals, wired once for every process that
 * decides them: the server (clicks, admin commands in chat) and the CLI
 * (operators in a shell). So a rule a click obeys binds the CLI the same way.
 */
export function wireUseCases(core: Core, wiring: UseCaseWiring) {
  const { log, clock, policy, actions } = core;
  const { jobs, platforms } = wiring;
  const directories = wiring.directories ?? platforms;
  const onFollowUpError = logFollowUpErrors(log);
  const onAudited = (tenant: string) => core.sealer.poke(tenant);
  const logged = reviewLogs(log);
  const recordReview = logged.recordReview(
    makeRecordReview({ actions, overrides: core.overrides, digests: core.digests, onFollowUpError, audit: core.audit, policy, clock, jobs, platforms: directories, onAudited, metrics: wiring.metrics, tracer: core.tracer }),
  );
  return {
    recordReview,
    operatorReview: logged.operatorReview(makeOperatorReview({ actions, directories, recordReview, metrics: wiring.metrics })),
    resolveActionId: makeResolveActionId({ actions }),
    expire: makeExpireAction({ actions, policy, clock, jobs, platforms, onFollowUpError, metrics: wiring.metrics, tracer: core.tracer }),
    adminCommand: makeRunAdminCommand({ policy, overrides: core.overrides, actions, audit: core.audit, jobs, clock, platforms, onAudited, background: wiring.background }),
  };
}

export type UseCases = ReturnType<typeof wireUseCases>;
