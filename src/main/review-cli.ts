import { SlackDirectory } from '../../adapters/slack/slack-directory.js';
import { TeamsDirectory } from '../../adapters/teams/teams-directory.js';
import type { Env } from '../config/env.js';
import { currentArgs, type Action } from '../domain/action.js';
import { escapeTerminal, toTerminalText } from '../domain/terminal-text.js';
import { createApprovalQueues } from '../infra/queue/approval-queues.js';
import { chatDirectories } from '../ports/chat-platform.js';
import { makeOperatorReview } from '../usecases/operator-review.js';
import { makeRecordReview } from '../usecases/record-review.js';
import { createCliLogger } from './cli-logger.js';
import { openCliPolicy } from './cli-policy.js';
import { buildCore } from './container.js';

const LIST_LIMIT = 50;

export type ReviewCliInput =
  | { command: 'list'; tenant: string }
  | { command: 'show'; tenant: string; id: string }
  | { command: 'approve' | 'deny'; tenant: string; id: string; as: string; reason?: string; operator: string; argsVersion?: number };

/**
 * `airlock review list|show|approve|deny`: approvals from a shell, for
 * operators when chat is down and for trying Airlock without a chat app.
 * Decisions go through the same use case as a click, which enqueues card
 * updates and callbacks for the workers before it returns.
 */
export async function runReview(env: Env, input: ReviewCliInput): Promise<{ ok: boolean; text: string }> {
  const log = createCliLogger();
  const core = await buildCore(env, log, { poolSize: 4, openPolicy: (path, pool) => openCliPolicy(path, pool, (line) => log.warn(line)) });
  const queues = createApprovalQueues(core.queues, core.clock, log);
  try {
    const tenant = core.policy.current().tenants.get(input.tenant);
    if (!tenant) return { ok: false, text: escapeTerminal(`Unknown tenant ${input.tenant}.`) };
    if (input.command === 'list') {
      const pending = await core.actions.pendingSummary(tenant.id, LIST_LIMIT);
      if (pending.count === 0) return { ok: true, text: 'No pending approvals.' };
      const now = core.clock.now().getTime();
      const lines = pending.items.map((p) => escapeTerminal(`${p.id}  ${p.tool}  by ${p.agent}  → ${p.reviewerGroup ?? '?'}  waiting ${Math.round((now - p.createdAt.getTime()) / 1000)}s`));
      return { ok: true, text: [`${pending.count} pending approval(s), oldest first:`, ...lines, ...(pending.count > lines.length ? [`…and ${pending.count - lines.length} more`] : [])].join('\n') };
    }
    const action = await core.actions.get(tenant.id, input.id);
    if (!action) return { ok: false, text: escapeTerminal(`No action ${input.id} in tenant ${tenant.id}.`) };
    if (input.command === 'show') return { ok: true, text: describe(action) };

    // Without a bot token, Slack user groups cannot be read: only listed users can be named.
    const directories = chatDirectories([
      SlackDirectory.create(env.SLACK_BOT_TOKEN, env.SLACK_API_URL),
      new TeamsDirectory(),
    ]);
    const recordReview = makeRecordReview({
      actions: core.actions,
      overrides: core.overrides,
      audit: core.audit,
      policy: core.policy,
      platforms: directories,
      clock: core.clock,
      jobs: queues.jobs,
      digests: core.digests,
      onAudited: (t) => core.sealer.poke(t),
      onFollowUpError: (what, err) => log.warn({ err: (err as Error).message }, `${what} could not be enqueued; the reconciler or the next click repairs it`),
    });
    const review = makeOperatorReview({ actions: core.actions, directories, recordReview });
    const result = await review(tenant, action.id, { as: input.as, operator: input.operator, decision: input.command, reason: input.reason, argsVersion: input.argsVersion });
    if (result.kind !== 'accepted') return { ok: false, text: toTerminalText(result.message) };
    const a = result.action;
    const progress = a.status === 'pending' ? ` (${a.approvals.length} of ${a.requiredApprovals ?? 1} approvals)` : '';
    const bound = input.command === 'approve' ? ` of arguments version ${input.argsVersion ?? action.argsVersion}` : '';
    return { ok: true, text: escapeTerminal(`Recorded: ${input.command}${bound} by ${input.as} (operator ${input.operator}). The action is ${a.status}${progress}.`) };
  } finally {
    await core.sealer.idle();
    await queues.close();
    await core.close();
  }
}

/** An approval as a reviewer would read it, in plain text; every value escaped, so none can pass for a line of its own. */
function describe(a: Action): string {
  const line = (label: string, value: unknown) => `${label.padEnd(14)}${escapeTerminal(String(value))}`;
  return [
    line('action', a.id),
    line('status', `${a.status} (${a.decision}${a.status === 'pending' ? `, round ${a.round}` : ''})`),
    line('tool', `${a.tool} (risk ${a.risk}${a.effects.length ? `, ${a.effects.join(', ')}` : ''})`),
    line('agent', a.agent),
    line('requester', [a.requester.display, a.requester.id, a.requester.email].filter(Boolean).join(' · ')),
    line('reviewers', `${a.reviewerGroup ?? '—'} (${a.requiredApprovals ?? 1} approval(s) needed)`),
    line('environment', `${a.environment}${a.workflow ? `, workflow ${a.workflow}` : ''}`),
    ...(a.summary ? [line('summary', a.summary)] : []),
    ...(a.consequence ? [line('consequence', a.consequence)] : []),
    line('deadline', a.expiresAt?.toISOString() ?? 'none'),
    line('arguments', `version ${a.argsVersion}: ${JSON.stringify(currentArgs(a))}`),
    ...a.reasons.map((r, i) => line(i === 0 ? 'why' : '', r)),
    ...a.reviews.map((r, i) => line(i === 0 ? 'reviews' : '', `${r.decision} by ${r.reviewer.platform} user ${r.reviewer.userId}${r.reviewer.via ? ` (via CLI, operator ${r.reviewer.via.operator})` : ''} at ${r.at.toISOString()}${r.reason ? `: ${r.reason}` : ''}`)),
  ].join('\n');
}
