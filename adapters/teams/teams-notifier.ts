import { AirlockError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import type { ReviewerGroup } from '../../src/domain/policy-model.js';
import type { ApprovalNotifier, CardContent, TeamsCardRef } from '../../src/ports/approval-notifier.js';
import { md } from './adaptive-text.js';
import type { BotFramework } from './bot-framework.js';
import { cardActivity } from './card-activity.js';
import { sharedView } from './card-views.js';
import { DEFAULT_RETRY, withRetries, type RetryOptions } from './connector-retry.js';
import { renderMessage } from './render-message.js';

export interface TeamsNotifierDeps {
  /**
   * Where the Airlock tenant's Teams connector is: the newest serviceUrl seen
   * from its AAD tenant, else the policy's `teams.service_url`.
   */
  serviceUrlFor(tenant: string): Promise<string | undefined>;
  auditUrl?: (actionId: string) => string;
  retry?: RetryOptions;
}

/**
 * Approval cards in Teams conversations, posted proactively through the
 * Bot Framework connector with the bot's token. Shaped like the Slack
 * notifier (src/ports/approval-notifier.ts). Deliberately left out:
 * `findCard` cannot search, because Teams gives bots no history of a
 * conversation; a worker that dies between posting and saving may therefore
 * post a second card (both work: clicks are keyed by action id).
 */
export class TeamsNotifier implements ApprovalNotifier<TeamsCardRef> {
  private readonly retry: RetryOptions;

  constructor(
    private readonly bot: BotFramework,
    private readonly deps: TeamsNotifierDeps,
  ) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
  }

  async postCard(content: CardContent): Promise<TeamsCardRef> {
    const conversationId = conversationOf(content.group);
    const serviceUrl = await this.serviceUrl(content.action.tenant);
    const activity = cardActivity(content, sharedView(content.group), this.deps.auditUrl?.(content.action.id));
    const client = await this.bot.connector(serviceUrl);
    const res = await withRetries(`posting the card to ${conversationId}`, () => client.conversations.sendToConversation(conversationId, activity), this.retry);
    if (!res.id) throw new AirlockError('delivery_failed', `Teams accepted the card in ${conversationId} without an activity id`, { retry: true });
    return { platform: 'teams', conversationId, activityId: res.id, serviceUrl };
  }

  async findCard(): Promise<TeamsCardRef | undefined> {
    return undefined;
  }

  async updateCard(ref: TeamsCardRef, content: CardContent): Promise<void> {
    const serviceUrl = await this.serviceUrl(content.action.tenant, ref.serviceUrl);
    const activity = { ...cardActivity(content, sharedView(content.group), this.deps.auditUrl?.(content.action.id)), id: ref.activityId };
    const client = await this.bot.connector(serviceUrl);
    await withRetries(`updating the card in ${ref.conversationId}`, () => client.conversations.updateActivity(ref.conversationId, ref.activityId, activity), this.retry);
  }

  /** A reply in the card's thread. */
  async postReminder(ref: TeamsCardRef, content: CardContent): Promise<void> {
    const serviceUrl = await this.serviceUrl(content.action.tenant, ref.serviceUrl);
    const deadline = content.action.expiresAt ? ` before ${content.action.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : '';
    const client = await this.bot.connector(serviceUrl);
    await withRetries(
      `posting a reminder in ${ref.conversationId}`,
      () =>
        client.conversations.replyToActivity(ref.conversationId, ref.activityId, {
          type: 'message',
          textFormat: 'markdown',
          text: `⏰ Reminder: ${md(content.action.tool, 300)} is still waiting for a decision${deadline}.`,
          replyToId: ref.activityId,
        } as Parameters<typeof client.conversations.replyToActivity>[2]),
      this.retry,
    );
  }

  /** A notice (incident mode start/end) as a new post in the group's conversation, rendered and escaped here. */
  async postNotice(tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    if (!group.teams) return;
    const conversationId = conversationOf(group);
    const client = await this.bot.connector(await this.serviceUrl(tenant));
    await withRetries(
      `posting a notice to ${conversationId}`,
      () =>
        client.conversations.sendToConversation(conversationId, { type: 'message', textFormat: 'markdown', text: renderMessage(notice) } as Parameters<
          typeof client.conversations.sendToConversation
        >[1]),
      this.retry,
    );
  }

  private async serviceUrl(tenant: string, fallback?: string): Promise<string> {
    const url = (await this.deps.serviceUrlFor(tenant)) ?? fallback;
    if (!url) throw new AirlockError('delivery_failed', `tenant ${tenant} has no Teams service_url`, { retry: false });
    // The bot's token goes with every connector call: never over plain http.
    if (!url.startsWith('https://')) throw new AirlockError('delivery_failed', `tenant ${tenant}'s Teams service URL is not https`, { retry: false });
    return url;
  }
}

function conversationOf(group: ReviewerGroup): string {
  if (!group.teams) throw new AirlockError('delivery_failed', `reviewer group ${group.name} has no Teams conversation`, { retry: false });
  return group.teams.conversationId;
}
