import { createCallbackTargets } from '../infra/callbacks/callback-targets.js';
import type { ResolveHost } from '../infra/callbacks/guarded-lookup.js';
import { createHttpCallbackSender } from '../infra/callbacks/http-callback-sender.js';
import { PgCardStore } from '../infra/postgres/card-repository.js';
import { PgMetricHandoff } from '../infra/postgres/metric-handoff.js';
import { PgWithdrawnApprovals } from '../infra/postgres/end-withdrawn.js';
import { CALLBACK_CONCURRENCY, createApprovalQueues } from '../infra/queue/approval-queues.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import { makeApprovalDispatcher } from '../usecases/approval-dispatcher.js';
import { makeDeliverCallback } from '../usecases/deliver-callback.js';
import { makeEndWithdrawnApprovals } from '../usecases/end-withdrawn-approvals.js';
import { makeTakeOverCounts } from '../usecases/metric-handoff.js';
import { makePostCard } from '../usecases/post-card.js';
import { makeReconcile } from '../usecases/reconcile.js';
import { makeRecordCallbackOutcome } from '../usecases/record-callback-outcome.js';
import { makeSendReminder } from '../usecases/send-reminder.js';
import { makeUpdateCards } from '../usecases/update-cards.js';
import { makeWriteOwedAudit } from '../usecases/write-owed-audit.js';
import { consoleDirectory } from '../../adapters/console/console-directory.js';
import { chatDirectories } from '../ports/chat-platform.js';
import { createChatAdapters } from './chat-platforms.js';
import { wireConsole } from './console.js';
import type { Core } from './container.js';
import { createSendPacer } from './send-pacer.js';
import { logFollowUpErrors, wireUseCases } from './use-cases.js';

export interface ApprovalOptions {
  /** Run the queue processors in this process (worker and all roles). */
  processors: boolean;
  /** Where this process counts reviews, cards and callbacks; its /metrics serves them. */
  metrics: ApprovalMetrics;
  /** How long a decided action's callback may stay unsettled before the reconciler re-enqueues it (tests shorten it). */
  callbackGraceMs?: number;
  /** How callback host names are resolved (default: the system resolver; tests stand in for DNS). */
  resolveCallbackHost?: ResolveHost;
  /** How long a callback receiver has to answer (default CALLBACK_TIMEOUT_MS; tests lengthen it to tell a fair queue from a timed-out one). */
  callbackTimeoutMs?: number;
}

/**
 * The approval loop: queues, use cases, the configured chat platforms and,
 * in the worker role, the queue processors.
 */
export async function wireApprovals(core: Core, opts: ApprovalOptions) {
  const { log, clock, policy, actions } = core;
  const queues = createApprovalQueues(core.queues, clock, log);
  const jobs = queues.jobs;
  const cards = new PgCardStore(core.pool);
  const seal = (tenant: string) => core.sealer.poke(tenant);
  const pacer = await createSendPacer(core);
  const chat = await createChatAdapters(
    core,
    {
      recordReview: (cmd) => recordReview(cmd),
      adminCommand: (actor, text) => adminCommand(actor, text),
    },
    { checks: true, pacer },
  );
  const platforms = chat.platforms;

  const onFollowUpError = logFollowUpErrors(log);
  const { metrics } = opts;
  const { expire, recordReview, adminCommand } = wireUseCases(core, {
    jobs,
    platforms,
    // The web console decides reviews too (it posts no card, so it is a directory and not a platform).
    ...(core.env.OIDC_ISSUER ? { directories: chatDirectories([...platforms.all(), consoleDirectory]) } : {}),
    metrics,
    background: (what, task) => void task().catch((err: Error) => log.warn({ err: err.message }, `${what} failed; the reconciler or the next click repairs it`)),
  });

  const webConsole = wireConsole(core, { recordReview, adminCommand });

  const endWithdrawn = makeEndWithdrawnApprovals({
    policy,
    overrides: core.overrides,
    withdrawals: new PgWithdrawnApprovals(core.pool),
    jobs,
    clock,
    onAudited: seal,
    onFollowUpError,
  });
  const endWithdrawnNow = async () => {
    const ended = await endWithdrawn();
    if (ended > 0) log.info({ ended }, 'denied the pending approvals the policy no longer permits');
  };
  // Every process that reloads ends what its new policy takes away (a SIGHUP may reach only one of them).
  const stopEndingOnReload = core.afterPolicyReload(endWithdrawnNow);

  if (opts.processors) {
    // The file may have changed while no process was running.
    await endWithdrawnNow().catch((err: Error) => log.error({ err: err.message }, 'could not end the pending approvals the policy no longer permits; a click on one refuses and ends it'));
    const postCard = makePostCard({
      actions,
      tracer: core.tracer,
      cards,
      policy,
      clock,
      platforms,
      endPending: expire,
      onAudited: seal,
      metrics,
      onUndeliverable: (ref, why) =>
        log.error({ action: ref.actionId, tenant: ref.tenant, platform: ref.platform, why }, 'approval card cannot be delivered on this platform; with no other platform showing it the action ends by its timeout rule. Fix the channel or credentials in the policy/env.'),
      onHeld: (ref, why) =>
        log.warn({ action: ref.actionId, tenant: ref.tenant, platform: ref.platform, why }, 'approval card held: the app is not installed in the tenant’s workspace; the action waits for its deadline as usual'),
    });
    const updateCards = makeUpdateCards({ actions, cards, policy, platforms, metrics, tracer: core.tracer });
    const remind = makeSendReminder({ actions, cards, policy, platforms, clock, onAudited: seal, tracer: core.tracer });
    const sender = createHttpCallbackSender({
      rules: createCallbackTargets(core.env.AIRLOCK_CALLBACK_ALLOW),
      resolve: opts.resolveCallbackHost,
      timeoutMs: opts.callbackTimeoutMs,
    });
    const slots = CALLBACK_CONCURRENCY[core.queues.kind];
    // An agent gets a quarter of the callback slots and a tenant half: one tenant's stuck receivers never take all of them.
    const lanes = { perAgent: Math.max(1, Math.floor(slots / 4)), perTenant: Math.max(1, Math.floor(slots / 2)) };
    const deliver = makeDeliverCallback({ actions, agents: core.agents, sender, clock, lanes, metrics, tracer: core.tracer });
    const reconcile = makeReconcile({
      actions,
      clock,
      repostCard: (ref) => jobs.repostCard(ref),
      expire,
      remind,
      deliverCallback: (ref, status) => jobs.deliverCallback(ref, status),
      writeOwedAudit: makeWriteOwedAudit({ overrides: core.overrides, onAudited: seal }),
      callbackGraceMs: opts.callbackGraceMs,
    });
    const callbackOutcome = makeRecordCallbackOutcome({ actions, audit: core.audit, clock, onAudited: seal, metrics });
    const takeOverCounts = makeTakeOverCounts({ handoff: new PgMetricHandoff(core.pool), metrics });
    await queues.startWorkers({
      postCard,
      updateCards,
      remind,
      expire: (ref) => expire(ref, { kind: 'timeout' }),
      reconcile: async () => {
        const r = await reconcile();
        if (r.failed > 0) log.warn({ failed: r.failed }, 'reconciler could not repair some actions (queue or chat unavailable); retrying them on the next tick');
        // The reviews operators recorded with the CLI, counted here once each (a failure leaves them for the next tick).
        await takeOverCounts().catch((err: Error) => log.warn({ err: err.message }, 'could not take over the counts the CLI left for /metrics; retrying on the next tick'));
        return r;
      },
      deliverCallback: deliver,
      callbackDelivered: (tenant, id, result) =>
        callbackOutcome(tenant, id, { kind: 'callback_delivered', status: (result as { status?: number } | undefined)?.status ?? null }),
      callbackFailed: async (tenant, id, err) => {
        log.error({ action: id, tenant, err: err.message }, 'callback delivery gave up');
        await callbackOutcome(tenant, id, { kind: 'callback_failed', error: err.message });
      },
    });
  }

  return {
    jobs,
    cards,
    platforms,
    /** The chat platforms' inbound routes (Slack's /slack/events, Teams' /api/messages). */
    mounts: [...chat.mounts, ...(webConsole ? [webConsole.mount] : [])],
    chatStates: chat.states,
    /** The web console's identity provider state, for /readyz (absent without OIDC_ISSUER). */
    consoleState: webConsole?.state,
    recordReview,
    adminCommand,
    expire,
    dispatcher: makeApprovalDispatcher({ jobs, policy, platforms }),
    close: async () => {
      stopEndingOnReload();
      webConsole?.stop();
      await queues.close();
      await chat.stop();
      await pacer.close();
    },
  };
}

export type Approvals = Awaited<ReturnType<typeof wireApprovals>>;
