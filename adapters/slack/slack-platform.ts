import { WebClient } from '@slack/web-api';
import { sameIdentity, type ReviewerIdentity } from '../../src/domain/action.js';
import { AirlockError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { CardContent, CardRef, ChatPlatform } from '../../src/ports/chat-platform.js';
import { escapeMrkdwn, slackDate } from './mrkdwn.js';
import { renderApprovalCard } from './render-approval-card.js';
import { renderMessage } from './render-message.js';
import { startupProblem, toDeliveryError } from './slack-errors.js';

/** Slack's message metadata type Airlock stamps on every card, to find it again after a crash. */
export const CARD_EVENT_TYPE = 'airlock_approval_card';
const CACHE_MS = 60_000;

export interface SlackCardRef extends CardRef {
  platform: 'slack';
  channel: string;
  ts: string;
}

/**
 * Slack as a chat platform: cards in channels through the Web API, the
 * tenant of a workspace, membership by listed user or user group. Its
 * WebClient does not wait out a 429 itself: it throws RateLimited, and the
 * queue delays the job (without spending an attempt) instead of holding a
 * worker slot for the whole Retry-After. 5xx and network errors get a few
 * quick retries, then the queue's backoff.
 */
export class SlackPlatform implements ChatPlatform {
  readonly name = 'slack';
  private readonly usergroups = new Map<string, { members: string[]; until: number }>();
  private identity: { botId?: string; botUserId?: string } | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly opts: { auditUrl?: (actionId: string) => string; onConnected?: () => Promise<void> } = {},
  ) {}

  static create(token: string, apiUrl: string, opts: { auditUrl?: (actionId: string) => string; onConnected?: () => Promise<void> } = {}) {
    const client = new WebClient(token, {
      slackApiUrl: apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true },
      timeout: 10_000,
    });
    return new SlackPlatform(client, opts);
  }

  /** The bot's ids once the start-up check has read them (Bolt's authorize uses them). */
  botIdentity() {
    return this.identity;
  }

  targets(group: ReviewerGroup): boolean {
    return group.slack !== undefined;
  }

  tenantOf(policy: Policy, teamId: string): TenantPolicy | undefined {
    for (const t of policy.tenants.values()) if (t.slackTeamId === teamId) return t;
    return undefined;
  }

  async isMember(group: ReviewerGroup, reviewer: ReviewerIdentity): Promise<boolean> {
    if (!group.slack) return false;
    if (group.slack.users.some((u) => sameIdentity(u, reviewer.userId))) return true;
    if (!group.slack.usergroup) return false;
    return (await this.usergroupMembers(group.slack.usergroup)).includes(reviewer.userId);
  }

  isAdmin(tenant: TenantPolicy, userId: string): boolean {
    return tenant.admins.slack.some((u) => sameIdentity(u, userId));
  }

  async check(): Promise<void> {
    let res;
    try {
      res = await this.client.auth.test();
    } catch (err) {
      throw new AirlockError('unavailable', startupProblem(err), { retry: true, cause: err });
    }
    this.identity = { botId: res.bot_id, botUserId: res.user_id };
    await this.opts.onConnected?.();
  }

  async postCard(content: CardContent): Promise<SlackCardRef> {
    const channel = channelOf(content.group);
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
      throw toDeliveryError(err, `chat.postMessage to ${channel}`);
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
    const { text, blocks } = this.render(content);
    try {
      await this.client.chat.update({ channel, ts, text, blocks });
    } catch (err) {
      throw toDeliveryError(err, `chat.update in ${channel}`);
    }
  }

  async postReminder(ref: CardRef, content: CardContent): Promise<void> {
    const { channel, ts } = ref as SlackCardRef;
    const deadline = content.action.expiresAt ? ` before ${slackDate(content.action.expiresAt)}` : '';
    try {
      await this.client.chat.postMessage({
        channel,
        thread_ts: ts,
        reply_broadcast: true,
        text: `:alarm_clock: Reminder: ${escapeMrkdwn(content.action.tool)} is still waiting for a decision${deadline}.`,
      });
    } catch (err) {
      throw toDeliveryError(err, `reminder in ${channel}`);
    }
  }

  async postNotice(_tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    if (!group.slack) return;
    try {
      // Escaped like every other text: a reason typed by an admin cannot ping @channel or hide a link.
      await this.client.chat.postMessage({ channel: group.slack.channel, text: renderMessage(notice), unfurl_links: false, unfurl_media: false });
    } catch (err) {
      throw toDeliveryError(err, `notice to ${group.slack.channel}`);
    }
  }

  private async usergroupMembers(usergroupId: string): Promise<string[]> {
    const hit = this.usergroups.get(usergroupId);
    if (hit && hit.until > Date.now()) return hit.members;
    const res = await this.client.usergroups.users.list({ usergroup: usergroupId });
    const members = res.users ?? [];
    this.usergroups.set(usergroupId, { members, until: Date.now() + CACHE_MS });
    return members;
  }

  private render(content: CardContent) {
    return renderApprovalCard({
      action: content.action,
      tool: content.tool,
      reviewerGroupName: content.group.name,
      auditUrl: this.opts.auditUrl?.(content.action.id),
      state: content.state,
    });
  }
}

function channelOf(group: ReviewerGroup): string {
  if (!group.slack) throw new AirlockError('delivery_failed', `reviewer group ${group.name} has no Slack channel`, { retry: false });
  return group.slack.channel;
}
