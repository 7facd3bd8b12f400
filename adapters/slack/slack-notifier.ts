import { WebClient } from '@slack/web-api';
import type { Message } from '../../src/domain/message.js';
import type { ReviewerGroup } from '../../src/domain/policy-model.js';
import type { ApprovalNotifier, CardContent, CardRef, ReviewerDirectory } from '../../src/ports/approval-notifier.js';
import { escapeMrkdwn, slackDate } from './mrkdwn.js';
import { renderApprovalCard } from './render-approval-card.js';
import { renderMessage } from './render-message.js';
import { toDeliveryError } from './slack-errors.js';

/** Slack's message metadata type Airlock stamps on every card, to find it again after a crash. */
export const CARD_EVENT_TYPE = 'airlock_approval_card';
const CACHE_MS = 60_000;

/**
 * Approval cards in Slack channels, through the Web API. The WebClient
 * waits out 429s (Retry-After) and retries 5xx itself; what still fails is
 * mapped to a retryable or permanent delivery error.
 */
export class SlackNotifier implements ApprovalNotifier, ReviewerDirectory {
  private readonly usergroups = new Map<string, { members: string[]; until: number }>();

  constructor(private readonly client: WebClient, private readonly auditUrl?: (actionId: string) => string) {}

  async postCard(content: CardContent): Promise<CardRef> {
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

  async findCard(group: ReviewerGroup, actionId: string, since: Date): Promise<CardRef | undefined> {
    const channel = channelOf(group);
    try {
      const res = await this.client.conversations.history({ channel, oldest: String(since.getTime() / 1000), include_all_metadata: true, limit: 200 });
      const found = res.messages?.find((m) => m.metadata?.event_type === CARD_EVENT_TYPE && (m.metadata.event_payload as { action_id?: string } | undefined)?.action_id === actionId);
      return found?.ts ? { platform: 'slack', channel, ts: found.ts } : undefined;
    } catch (err) {
      throw toDeliveryError(err, `conversations.history of ${channel}`);
    }
  }

  async updateCard(ref: CardRef, content: CardContent): Promise<void> {
    const { text, blocks } = this.render(content);
    try {
      await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text, blocks });
    } catch (err) {
      throw toDeliveryError(err, `chat.update in ${ref.channel}`);
    }
  }

  async postReminder(ref: CardRef, content: CardContent): Promise<void> {
    const deadline = content.action.expiresAt ? ` before ${slackDate(content.action.expiresAt)}` : '';
    try {
      await this.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        reply_broadcast: true,
        text: `:alarm_clock: Reminder: ${escapeMrkdwn(content.action.tool)} is still waiting for a decision${deadline}.`,
      });
    } catch (err) {
      throw toDeliveryError(err, `reminder in ${ref.channel}`);
    }
  }

  async postNotice(_tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    if (!group.slack) return;
    try {
      // Escaped like every other text: a reason typed by an admin cannot ping @channel or hide a link.
      await this.client.chat.postMessage({ channel: channelOf(group), text: renderMessage(notice), unfurl_links: false, unfurl_media: false });
    } catch (err) {
      throw toDeliveryError(err, `notice to ${channelOf(group)}`);
    }
  }

  async usergroupMembers(usergroupId: string): Promise<string[]> {
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
      auditUrl: this.auditUrl?.(content.action.id),
      state: content.state,
    });
  }
}

function channelOf(group: ReviewerGroup): string {
  if (!group.slack) throw new Error(`reviewer group ${group.name} has no Slack channel`);
  return group.slack.channel;
}

/** A notifier with its own WebClient, for processes that run no Bolt app (the CLI). */
export const createSlackNotifier = (token: string, apiUrl: string) => new SlackNotifier(new WebClient(token, { slackApiUrl: apiUrl }));
