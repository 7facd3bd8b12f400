import type { Action, ReviewerIdentity } from '../domain/action.js';
import type { ApprovalCard } from '../domain/approval-card.js';
import type { Message } from '../domain/message.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../domain/policy-model.js';

/**
 * Where a posted card lives on its platform (a Slack channel and ts, a Teams
 * conversation and activity id): opaque to the core, stored as JSON and handed
 * back to the platform that made it.
 */
export type CardRef = { platform: string } & Record<string, string>;

/**
 * One round's card and where it goes: the platform translates `card` (the
 * core decided its content) and posts it to `group`'s place. `action` is
 * for ids, pacing keys and edit forms, never for content.
 */
export interface CardContent {
  action: Action;
  group: ReviewerGroup;
  card: ApprovalCard;
}

/**
 * Who is who on a chat platform: the tenant of a workspace, the members of a
 * reviewer group, the admins. What deciding a review needs, without any card:
 * the CLI (`airlock review`) uses it where no chat platform is connected.
 */
export interface ChatDirectory {
  /** Stable name, stored with cards and reviewer identities: `slack`, `teams`. */
  readonly name: string;
  /** Whether the policy gives this reviewer group a place on this platform. */
  targets(group: ReviewerGroup): boolean;
  /** The Airlock tenant a workspace (Slack team id, Teams AAD tenant id) belongs to; never taken from a payload's claims about itself. */
  tenantOf(policy: Policy, workspaceId: string): TenantPolicy | undefined;
  /** The tenant's workspace on this platform, if it has one. */
  workspaceOf(tenant: TenantPolicy): string | undefined;
  /** Whether this person may decide for the group (listed, or in a platform directory group). */
  isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean>;
  isAdmin(tenant: TenantPolicy, userId: string): boolean;
  /**
   * The email the platform verified for this person, looked up by id alone
   * (the CLI names reviewers by id; a click brings its own). `unreadable`
   * says, for an operator, what would let it be read. Never taken from input.
   */
  emailOf(reviewer: ReviewerIdentity): Promise<{ email: string } | { unreadable: string }>;
}

/**
 * A chat platform reviewers and admins use (Slack, Teams). Each adapter
 * implements it; the use cases never branch on which one.
 *
 * Errors: implementations throw an AirlockError `delivery_failed` with
 * `retry: false` when the target can never take the card (unknown channel or
 * conversation, bot removed, revoked credentials), `RateLimited` when the
 * platform asked to wait (the caller delays the job without spending an
 * attempt), `NotInstalled` when the app is not installed in the tenant's
 * workspace (the card is held: recorded, not posted, the action left to its
 * deadline), and a retryable error for anything else transient. A 429 the
 * platform sends is also remembered for `cardWait` (every process waits it out).
 *
 * Left out on purpose: ephemeral replies to a clicker and admin-command
 * replies, which belong to the adapter that received the request, and the
 * platform's inbound routes, which main mounts.
 */
export interface ChatPlatform extends ChatDirectory {
  /**
   * Milliseconds until this card may be posted within the platform's rate
   * limits, as shared by every process (0: now). Asked `ahead` when the round
   * starts (the card's job is written due at the slot; even a slot due now is
   * held for it) and again before the card is claimed, so a card that must
   * wait costs no claim; the first ask holds a slot for the card, and asking
   * again returns the time left on it (0 once it has come, using it up).
   * postCard assumes it was asked and said 0. Absent: the platform is not paced.
   */
  cardWait?(content: CardContent, opts?: { ahead?: boolean }): Promise<number>;
  postCard(content: CardContent): Promise<CardRef>;
  /** A card for this action and round posted since `since`, if the platform can search (recovery after a crash mid-post). */
  findCard(content: CardContent, since: Date): Promise<CardRef | undefined>;
  updateCard(ref: CardRef, content: CardContent): Promise<void>;
  postReminder(ref: CardRef, content: CardContent): Promise<void>;
  /** A notice in the group's place (incident mode start/end); the platform renders and escapes it. */
  postNotice(tenant: string, group: ReviewerGroup, notice: Message): Promise<void>;

  /**
   * Of these tenants, those whose cards are held because the app is not
   * installed in their workspace, with why and what to do (for /readyz and
   * the admin status). Absent: the platform needs no installation per workspace.
   */
  uninstalled?(tenants: readonly TenantPolicy[]): Promise<Map<string, string>>;

  /**
   * One start-up check: can the platform be reached with the configured
   * credentials (and, where it connects out, is it connected)? Throws an
   * error whose message names the setting to fix. Main repeats it with
   * backoff until it passes and reports the state in /readyz; the gate keeps
   * deciding meanwhile.
   */
  check(): Promise<void>;
}

/** Chat directories by name (the configured platforms, or directories alone in the CLI). */
export interface ChatDirectories {
  get(name: string): ChatDirectory | undefined;
  all(): readonly ChatDirectory[];
}

/** The chat platforms configured in this process. */
export interface ChatPlatforms extends ChatDirectories {
  get(name: string): ChatPlatform | undefined;
  all(): readonly ChatPlatform[];
  /** The configured platforms that show this group's cards. */
  targetsOf(group: ReviewerGroup): string[];
}

export function chatDirectories(list: readonly ChatDirectory[]): ChatDirectories {
  const byName = new Map(list.map((d) => [d.name, d]));
  return { get: (name) => byName.get(name), all: () => list };
}

export function chatPlatforms(list: readonly ChatPlatform[]): ChatPlatforms {
  const byName = new Map(list.map((p) => [p.name, p]));
  return {
    get: (name) => byName.get(name),
    all: () => list,
    targetsOf: (group) => list.filter((p) => p.targets(group)).map((p) => p.name),
  };
}
