import type { Action } from '../domain/action.js';
import type { CardState } from '../domain/card-state.js';
import type { Message } from '../domain/message.js';
import type { ReviewerGroup, ToolPolicy } from '../domain/policy-model.js';

export interface SlackCardRef {
  platform: 'slack';
  channel: string;
  ts: string;
}

/** A Teams card: the posted activity in a conversation, reached through the tenant's connector `serviceUrl`. */
export interface TeamsCardRef {
  platform: 'teams';
  conversationId: string;
  activityId: string;
  serviceUrl: string;
}

/** Where the core stores and updates cards today (Slack only, until cards are keyed by platform). */
export type CardRef = SlackCardRef;
/** A card on any platform; `CardRef` becomes this once the core keys cards by platform. */
export type PlatformCardRef = SlackCardRef | TeamsCardRef;

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
export interface ApprovalNotifier<Ref extends PlatformCardRef = CardRef> {
  postCard(content: CardContent): Promise<Ref>;
  /** A card for this action posted since `since` in the group's channel, if any (recovery after a crash mid-post). */
  findCard(group: ReviewerGroup, actionId: string, since: Date): Promise<Ref | undefined>;
  updateCard(ref: Ref, content: CardContent): Promise<void>;
  postReminder(ref: Ref, content: CardContent): Promise<void>;
  /** A notice in a reviewer group's channel (incident mode start/end); the notifier renders and escapes it. */
  postNotice(tenant: string, group: ReviewerGroup, text: Message): Promise<void>;
}

/** Platform directory lookups needed to authorise reviewers; implementations cache. */
export interface ReviewerDirectory {
  usergroupMembers(usergroupId: string): Promise<string[]>;
}
