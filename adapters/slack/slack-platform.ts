import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ReviewerIdentity } from '../../src/domain/action.js';
import { AirlockError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import { RateLimited } from '../../src/domain/rate-limited.js';
import type { CardContent, CardRef, ChatPlatform } from '../../src/ports/chat-platform.js';
import { unpaced, type PaceRule, type SendPacer } from '../../src/ports/send-pacer.js';
import { SlackDirectory } from './slack-directory.js';
import { renderApprovalCard } from './render-approval-card.js';
import { renderLine, renderMessage } from './render-message.js';
import { startupProblem, toDeliveryError } from './slack-errors.js';
import { SLACK_PACE, channelKey, methodKey } from './slack-limits.js';
import { slackLogger } from './slack-logger.js';
import { webClientOptions } from './web-client-options.js';

/** Slack's message metadata type Airlock stamps on every card, to find it again after a crash. */
export const CARD_EVENT_TYPE = 'airlock_approval_card';

export interface SlackCardRef extends CardRef {
  platform: 'slack';
  channel: string;
  ts: string;
}

export interface SlackPlatformOptions {
  auditUrl?: (actionId: string) => string;
  onConnected?: () => Promise<void>;
  /** Keeps every process within Slack's limits (slack-limits.ts); unpaced when absent. */
  pacer?: SendPacer;
}

/** A paced call: the pacing key and rule it counts against. */
interface Pace {
  key: string;
  rule: PaceRule;
}

/**
 * Slack as a chat platform: cards in channels through the Web API, the
 * tenant of a workspace, membership by listed user or user group.
 *
 * Within Slack's limits: a card is posted only in a slot the shared pacer
 * hands out for its channel (about one a second, `cardWait`, asked when the
 * round starts, so the card's job is written due at its slot, and again when
 * the job runs); while the slot is later, the job waits in the queue, without
 * calling Slack or holding a worker slot, and a second channel's cards keep
 * flowing meanwhile. Card updates are paced per
 * workspace the same way (updateCard throws RateLimited until its slot).
 * Reminders and notices take a slot but go out at once (one per round or per
 * incident; the slot they leave unused evens it out). A 429 that Slack sends
 * anyway pushes the key's next slot past its Retry-After.
 *
 * Its WebClient does not wait out a 429 itself: it throws RateLimited, and
 * the queue delays the job (without spending an attempt). 5xx and network
 * errors get a few quick retries, then the queue's backoff.
 */
export class SlackPlatform implements ChatPlatform {
  readonly name = 'slack';
  private readonly directory: SlackDirectory;
  private identity: { botId?: string; botUserId?: string; teamId?: string } | undefined;
  private readonly pacer: SendPacer;

  constructor(
    private readonly client: WebClient,
    private readonly opts: SlackPlatformOptions = {},
  ) {
    this.directory = new SlackDirectory(client);
    this.pacer = opts.pacer ?? unpaced;
  }

  static create(token: string, apiUrl: string, log: Logger, opts: SlackPlatformOptions = {}) {
    const client = new WebClient(token, webClientOptions(apiUrl, slackLogger(log, 'web-api:cards'), { rejectRateLimitedCalls: true }));
    return new SlackPlatform(client, opts);
  }

  /** The bot's ids once the start-up check has read them (Bolt's authorize uses them). */
  botIdentity() {
    return this.identity && { botId: this.identity.botId, botUserId: this.identity.botUserId };
  }

  /** Limits are per workspace; until auth.test has named it, the one workspace of this token. */
  private get team() {
    return this.identity?.teamId ?? 'workspace';
  }

  private postPace(channel: string): Pace {
    return { key: channelKey(this.team, channel), rule: SLACK_PACE.postPerChannel };
  }

  /** Throws RateLimited, without calling Slack, when `holder`'s slot is still to come. */
  private async inSlot(pace: Pace, holder: string, what: string): Promise<void> {
    const wait = await this.pacer.reserve(pace.key, holder, pace.rule);
    if (wait > 0) throw new RateLimited(wait, `${what} (paced to Slack's limits)`);
  }

  /** Maps a failed call; a 429 also keeps every process off the key until its Retry-After has passed. */
  private async failed(err: unknown, pace: Pace, what: string): Promise<never> {
    const mapped = toDeliveryError(err, what);
    if (mapped instanceof RateLimited) await this.pacer.holdOff(pace.key, mapped.retryAfterMs, pace.rule);
    throw mapped;
  }

  targets(group: ReviewerGroup): boolean {
    return this.directory.targets(group);
  }

  tenantOf(policy: Policy, teamId: string): TenantPolicy | undefined {
    return this.directory.tenantOf(policy, teamId);
  }

  workspaceOf(tenant: TenantPolicy): string | undefined {
    return this.directory.workspaceOf(tenant);
  }

  isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    return this.directory.isMember(group, reviewer);
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return this.directory.isAdmin(tenant, userId);
  }

  emailOf(reviewer: ReviewerIdentity): Promise<{ email: string } | { unreadable: string }> {
    return this.directory.emailOf(reviewer);
  }

  async check(): Promise<void> {
    let res;
    try {
      res = await this.client.auth.test();
    } catch (err) {
      throw new AirlockError('unavailable', startupProblem(err), { retry: true, cause: err });
    }
    this.identity = { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id };
    await this.opts.onConnected?.();
  }

  /** One slot per card of a round in its channel: the same job asking again gets the slot it was given. */
  async cardWait(content: CardContent, opts?: { ahead?: boolean }): Promise<number> {
    const pace = this.postPace(channelOf(content.group));
    return this.pacer.reserve(pace.key, `card:${content.action.id}:${content.action.round}`, pace.rule, opts);
  }

  async postCard(content: CardContent): Promise<SlackCardRef> {
    const channel = channelOf(content.group);
    const pace = this.postPace(channel);
    const what = `chat.postMessage to ${channel}`;
    const { text, blocks } = this.render(content);
    try {
      const res = await this.client.chat.postMessage({
        channel,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: CARD_EVENT_TYPE, event_payload: { action_id: content.action.id, round: content.action.round } },
      });
      return { platform: 'slack', channel: res.channel ?? channel, ts: res.ts! };
    } catch (err) {
      return this.failed(err, pace, what);
    }
  }

  async findCard(content: CardContent, since: Date): Promise<SlackCardRef | undefined> {
    const channel = channelOf(content.group);
    try {
      const res = await this.client.conversations.history({ channel, oldest: String(since.getTime() / 1000), include_all_metadata: true, limit: 200 });
      const found = res.messages?.find(
        (m) => m.metadata?.event_type === CARD_EVENT_TYPE && (m.metadata.event_payload as { action_id?: string } | undefined)?.action_id === content.action.id,
      );
      return found?.ts ? { platform: 'slack', channel, ts: found.ts } : undefined;
    } catch (err) {
      throw toDeliveryError(err, `conversations.history of ${channel}`);
    }
  }

  async updateCard(ref: CardRef, content: CardContent): Promise<void> {
    const { channel, ts } = ref as SlackCardRef;
    const pace = { key: methodKey(this.team, 'chat.update'), rule: SLACK_PACE.tier3 };
    const what = `chat.update in ${channel}`;
    await this.inSlot(pace, `update:${channel}:${ts}`, `Slack ${what}`);
    const { text, blocks } = this.render(content);
    try {
      await this.client.chat.update({ channel, ts, text, blocks });
    } catch (err) {
      return this.failed(err, pace, what);
    }
  }

  async postReminder(ref: CardRef, content: CardContent): Promise<void> {
    const { channel, ts } = ref as SlackCardRef;
    const pace = this.postPace(channel);
    // Sent now whatever the slot: a reminder is never queued behind a burst of cards.
    await this.pacer.reserve(pace.key, `reminder:${content.action.id}:${content.action.round}`, pace.rule);
    try {
      await this.client.chat.postMessage({
        channel,
        thread_ts: ts,
        reply_broadcast: true,
        text: renderLine(content.card.reminder),
      });
    } catch (err) {
      return this.failed(err, pace, `reminder in ${channel}`);
    }
  }

  async postNotice(_tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    const channel = group.chat.get('slack')?.place;
    if (!channel) return;
    const pace = this.postPace(channel);
    await this.pacer.reserve(pace.key, `notice:${randomUUID()}`, pace.rule);
    try {
      // Escaped like every other text: a reason typed by an admin cannot ping @channel or hide a link.
      await this.client.chat.postMessage({ channel, text: renderMessage(notice), unfurl_links: false, unfurl_media: false });
    } catch (err) {
      return this.failed(err, pace, `notice to ${channel}`);
    }
  }

  private render(content: CardContent) {
    return renderApprovalCard(content.card, { auditUrl: this.opts.auditUrl?.(content.action.id) });
  }
}

function channelOf(group: ReviewerGroup): string {
  const channel = group.chat.get('slack')?.place;
  if (!channel) throw new AirlockError('delivery_failed', `reviewer group ${group.name} has no Slack channel`, { retry: false });
  return channel;
}
