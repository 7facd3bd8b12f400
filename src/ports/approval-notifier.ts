import type { Action } from '../domain/action.js';
import type { CardState } from '../domain/card-state.js';
import type { Message } from '../domain/message.js';
import type { ReviewerGroup, ToolPolicy } from '../domain/policy-model.js';

export interface CardRef {
  platform: 'slack';
  channel: string;
  ts: string;
}

export interface CardContent {
  action: Action;
  tool?: ToolPolicy;
  group: ReviewerGroup;
  state: CardState;
}

/**
 * Where approval cards live. Implementations throw an AirlockError with
 * `retry: false` (code `delivery_failed`) when the target can never take the
 * card (unknown channel, bot not in channel, revoked token), and a retryable
 * error for anything transient (rate limits already waited out, 5xx).
 * Left out: ephemeral replies to a clicker, which belong to the adapter that
 * received the click.
 */
export interface ApprovalNotifier {
  postCard(content: CardContent): Promise<CardRef>;
  /** A card for this action posted since `since` in the group's channel, if any (recovery after a crash mid-post). */
  findCard(group: ReviewerGroup, actionId: string, since: Date): Promise<CardRef | undefined>;
  updateCard(ref: CardRef, content: CardContent): Promise<void>;
  postReminder(ref: CardRef, content: CardContent): Promise<void>;
  /** A notice in a reviewer group's channel (incident mode start/end); the notifier renders and escapes it. */
  postNotice(group: ReviewerGroup, text: Message): Promise<void>;
}

/** Platform directory lookups needed to authorise reviewers; implementations cache. */
export interface ReviewerDirectory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
}
