import { createSlackApp, type SlackAdapter } from '../../adapters/slack/slack-app.js';
import { actionAuditFields } from '../domain/audit-event.js';
import { fetchCallbackSender } from '../infra/callbacks/fetch-callback-sender.js';
import { PgCardStore } from '../infra/postgres/card-repository.js';
import { PgSeenRequests } from '../infra/postgres/seen-requests.js';
import { createApprovalQueues } from '../infra/queue/approval-queues.js';
import { makeApprovalDispatcher } from '../usecases/approval-dispatcher.js';
import { makeDeliverCallback } from '../usecases/deliver-callback.js';
import { makeExpireAction } from '../usecases/expire-action.js';
import { makePostCard } from '../usecases/post-card.js';
import { makeReconcile } from '../usecases/reconcile.js';
import { makeRecordReview, tenantForWorkspace } from '../usecases/record-review.js';
import { makeRunAdminCommand } from '../usecases/run-admin-command.js';
import { makeSendReminder } from '../usecases/send-reminder.js';
import { makeUpdateCards } from '../usecases/update-cards.js';
import type { Core } from './container.js';
import { wireTeams } from './teams.js';

export interface ApprovalOptions {
  /** Run the queue processors in this process (worker and all roles). */
  processors: boolean;
  /** How long a decided action's callback may stay unsettled before the reconciler re-enqueues it (tests shorten it). */
  callbackGraceMs?: number;
}

/**
 * The approval loop: queues, use cases, the Slack adapter (when configured)
 * and, in the worker role, the queue processors.
 */
export async function wireApprovals(core: Core, opts: ApprovalOptions) {
  const { env, log, clock, policy, actions } = core;
  const queues = createApprovalQueues(core.queues, clock, log);
  const jobs = queues.jobs;
  const cards = new PgCardStore(core.pool);
  const seal = (tenant: string) => core.sealer.poke(tenant);

  const onFollowUpError = (what: string, err: unknown) =>
    log.warn({ err: (err as Error).message }, `${what} could not be enqueued; the reconciler (cards, deadlines, callbacks) or the next click (card re-render) repairs it`);
  const expire = makeExpireAction({ actions, policy, clock, jobs, onFollowUpError });
  const recordReview = makeRecordReview({
    actions,
    overrides: core.overrides,
    digests: core.digests,
    onFollowUpError,
    audit: core.audit,
    policy,
    clock,
    jobs,
    directory: (platform) => (platform === 'slack' ? slack?.notifier : undefined),
    onAudited: seal,
  });

  let slack: SlackAdapter | undefined;
  let seenRequests: PgSeenRequests | undefined;
  const adminCommand = makeRunAdminCommand({
    policy,
    overrides: core.overrides,
    actions,
    audit: core.audit,
    jobs,
    clock,
    get notifier() {
      return slack?.notifier;
    },
    onAudited: seal,
    background: (what, task) => void task().catch((err: Error) => log.warn({ err: err.message }, `${what} failed; the reconciler or the next click repairs it`)),
  });
  if (env.SLACK_BOT_TOKEN) {
    slack = createSlackApp(
      {
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        apiUrl: env.SLACK_API_URL,
        auditUrl: env.PUBLIC_URL ? (id) => new URL(`/v1/actions/${id}`, env.PUBLIC_URL).toString() : undefined,
      },
      {
        recordReview,
        adminCommand,
        actionForEdit: async (teamId, actionId) => {
          const current = policy.current();
          const tenant = tenantForWorkspace(current, 'slack', teamId);
          const action = tenant ? await actions.get(tenant.id, actionId) : undefined;
          const editable = action ? (current.tools.get(action.tool)?.approval?.editable ?? []) : [];
          return action && action.status === 'pending' && editable.length > 0 ? { action, editable } : undefined;
        },
      },
      log,
      env.SLACK_APP_TOKEN ? undefined : { seenRequests: (seenRequests = new PgSeenRequests(core.pool, clock)), now: () => clock.now().getTime() },
    );
    seenRequests?.startExpiry((err) => log.warn({ err: (err as Error).message }, 'could not expire the Slack requests seen; retrying in 30 s'));
    await slack.start();
  } else {
    log.warn('SLACK_BOT_TOKEN not set: approval cards are not posted; pending actions end by their timeout rule');
  }

  // --- Microsoft Teams (SPEC §5.1): the bot endpoint, when TEAMS_APP_ID and TEAMS_APP_PASSWORD are set.
  // Its notifier (core/teams.notifier) is not in the card jobs yet: that waits for cards keyed by platform.
  const teams = wireTeams(core, { recordReview, adminCommand });
  // --- end Microsoft Teams

  if (opts.processors) {
    const notifier = slack?.notifier;
    const postCard = notifier
      ? makePostCard({
          actions,
          cards,
          policy,
          clock,
          notifier,
          endPending: expire,
          onUndeliverable: (ref, why) =>
            log.error({ action: ref.actionId, tenant: ref.tenant, why }, 'approval card cannot be delivered; the action ends by its timeout rule. Fix the channel or token in the policy/env.'),
        })
      : undefined;
    const updateCards = notifier ? makeUpdateCards({ actions, cards, policy, notifier }) : undefined;
    const remind = notifier ? makeSendReminder({ actions, cards, policy, notifier }) : undefined;
    const deliver = makeDeliverCallback({ actions, agents: core.agents, sender: fetchCallbackSender, clock });
    const reconcile = makeReconcile({
      actions,
      clock,
      postCard: notifier ? (ref) => jobs.postCard(ref) : undefined,
      expire,
      remind: async (ref) => remind?.(ref),
      deliverCallback: (ref, status) => jobs.deliverCallback(ref, status),
      callbackGraceMs: opts.callbackGraceMs,
    });
    const callbackEvent = async (tenant: string, actionId: string, kind: 'callback_delivered' | 'callback_failed', extra: Record<string, unknown>) => {
      const action = await actions.get(tenant, actionId);
      if (!action) return;
      // Only the origin: a callback URL's path or query may carry a token.
      const origin = action.callbackUrl ? new URL(action.callbackUrl).origin : null;
      await core.audit.append({ tenant, kind, actionId, at: clock.now(), data: { ...actionAuditFields(action), callback_origin: origin, ...extra } });
      await actions.callbackSettled(tenant, actionId, clock.now());
      seal(tenant);
    };
    await queues.startWorkers({
      postCard: async (ref) => (postCard ? postCard(ref) : 'skipped'),
      updateCards: async (tenant, id) => updateCards?.(tenant, id),
      remind: async (ref) => remind?.(ref),
      expire: (ref) => expire(ref, { kind: 'timeout' }),
      reconcile,
      deliverCallback: deliver,
      callbackDelivered: (tenant, id, result) => callbackEvent(tenant, id, 'callback_delivered', { status: (result as { status?: number } | undefined)?.status ?? null }),
      callbackFailed: async (tenant, id, err) => {
        log.error({ action: id, tenant, err: err.message }, 'callback delivery gave up');
        await callbackEvent(tenant, id, 'callback_failed', { error: err.message.slice(0, 200) });
      },
    });
  }

  return {
    jobs,
    cards,
    slack,
    teams,
    recordReview,
    adminCommand,
    expire,
    dispatcher: makeApprovalDispatcher(jobs),
    close: async () => {
      seenRequests?.stopExpiry();
      await queues.close();
      await slack?.stop();
    },
  };
}

export type Approvals = Awaited<ReturnType<typeof wireApprovals>>;
