import type { Action } from '../domain/action.js';
import { cardFor } from '../domain/approval-card.js';
import type { ApprovalJobs } from '../ports/approval-jobs.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { PolicySource } from '../ports/policy-source.js';

export interface StartRoundDeps {
  jobs: ApprovalJobs;
  policy: PolicySource;
  platforms: ChatPlatforms;
}

/**
 * Enqueues a committed round's cards and timers. Each card's send slot is
 * reserved with its platform first, and its job is written to run at that
 * slot: a burst of cards for one channel waits in the queue as delayed jobs,
 * so the card worker never has to pass over it to reach another channel's
 * card. The job asks for its slot again when it runs and gets the same one
 * (or the time left on it): a slot due now is held for it too, so the card
 * takes one slot, not two. A reservation that fails leaves the job due now.
 */
export async function startRound(action: Action, deps: StartRoundDeps): Promise<void> {
  const ref = { tenant: action.tenant, actionId: action.id, round: action.round };
  const delays = await cardDelays(action, deps);
  await deps.jobs.startRound(ref, { expiresAt: action.expiresAt, remindAt: action.remindAt }, action.cardPlatforms, delays);
}

async function cardDelays(action: Action, deps: StartRoundDeps): Promise<Record<string, number>> {
  const content = cardFor(deps.policy.current(), action);
  const delays: Record<string, number> = {};
  if (!content) return delays;
  await Promise.all(
    action.cardPlatforms.map(async (name) => {
      const platform = deps.platforms.get(name);
      if (!platform?.cardWait || !platform.targets(content.group)) return;
      const wait = await platform.cardWait(content, { ahead: true }).catch(() => 0);
      if (wait > 0) delays[name] = wait;
    }),
  );
  return delays;
}
