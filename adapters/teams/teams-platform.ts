import type { ReviewerIdentity } from '../../src/domain/action.js';
import { AirlockError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/message.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import { RateLimited } from '../../src/domain/rate-limited.js';
import type { CardContent, CardRef, ChatPlatform } from '../../src/ports/chat-platform.js';
import { unpaced, type SendPacer } from '../../src/ports/send-pacer.js';
import type { BotFramework } from './bot-framework.js';
import { cardActivity } from './card-activity.js';
import { sharedView } from './card-views.js';
import { DEFAULT_RETRY, withRetries, type RetryOptions } from './connector-retry.js';
import { renderLine, renderMessage } from './render-message.js';
import { isTrustedServiceUrl } from './service-url.js';
import { TeamsDirectory } from './teams-directory.js';
import { TEAMS_PACE, conversationKey } from './teams-limits.js';

/** A Teams card: the posted activity in a conversation, reached through the tenant's connector `serviceUrl`. */
export interface TeamsCardRef extends CardRef {
  platform: 'teams';
  conversationId: string;
  activityId: string;
  serviceUrl: string;
}

export interface TeamsPlatformDeps {
  /**
   * Where the Airlock tenant's Teams connector is: the newest serviceUrl seen
   * from its AAD tenant, else the policy's `teams.service_url`.
   */
  serviceUrlFor(tenant: string): Promise<string | undefined>;
  auditUrl?: (actionId: string) => string;
  retry?: RetryOptions;
  /** Keeps every process within Teams' per-conversation limits (teams-limits.ts); unpaced when absent. */
  pacer?: SendPacer;
}

/**
 * Microsoft Teams as a chat platform: approval cards in Teams conversations,
 * posted proactively through the Bot Framework connector with the bot's
 * token; the tenant of an AAD tenant; membership and admins by AAD object id.
 * Deliberately left out: `findCard` cannot search, because Teams gives bots
 * no history of a conversation; a worker that dies between posting and
 * saving may therefore post a second card (both work: clicks are keyed by
 * action id).
 *
 * Cards are posted only in a slot the shared pacer hands out for their
 * conversation (`cardWait`, asked when the round starts, so the card's job
 * is written due at its slot, and again when the job runs); until then the
 * job waits in the queue without calling the connector, and other
 * conversations' cards keep flowing. A 429 the connector sends anyway pushes the conversation's next
 * slot past its Retry-After. Updates, reminders and notices are not paced
 * (one per decision, round or incident).
 */
export class TeamsPlatform implements ChatPlatform {
  readonly name = 'teams';
  private readonly retry: RetryOptions;
  private readonly directory = new TeamsDirectory();
  private readonly pacer: SendPacer;

  constructor(
    private readonly bot: BotFramework,
    private readonly deps: TeamsPlatformDeps,
  ) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
    this.pacer = deps.pacer ?? unpaced;
  }

  targets(group: ReviewerGroup): boolean {
    return this.directory.targets(group);
  }

  tenantOf(policy: Policy, aadTenantId: string): TenantPolicy | undefined {
    return this.directory.tenantOf(policy, aadTenantId);
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

  emailOf(): Promise<{ unreadable: string }> {
    return this.directory.emailOf();
  }

  async check(): Promise<void> {
    try {
      await this.bot.login();
    } catch (err) {
      throw new AirlockError('unavailable', `the bot could not get its token at TEAMS_LOGIN_URL: check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_LOGIN_URL (${(err as Error).message?.slice(0, 120) ?? 'error'})`, {
        retry: true,
        cause: err,
      });
    }
  }

  /** One slot per card of a round in its conversation: the same job asking again gets the slot it was given. */
  async cardWait(content: CardContent, opts?: { ahead?: boolean }): Promise<number> {
    return this.pacer.reserve(conversationKey(conversationOf(content.group)), `card:${content.action.id}:${content.action.round}`, TEAMS_PACE.perConversation, opts);
  }

  async postCard(content: CardContent): Promise<TeamsCardRef> {
    const conversationId = conversationOf(content.group);
    const serviceUrl = await this.serviceUrl(content.action.tenant);
    const key = conversationKey(conversationId);
    const rule = TEAMS_PACE.perConversation;
    const what = `posting the card to ${conversationId}`;
    const activity = cardActivity(content, sharedView(content.group), this.deps.auditUrl?.(content.action.id));
    const client = await this.bot.connector(serviceUrl);
    let res;
    try {
      res = await withRetries(what, () => client.conversations.sendToConversation(conversationId, activity), this.retry);
    } catch (err) {
      if (err instanceof RateLimited) await this.pacer.holdOff(key, err.retryAfterMs, rule);
      throw err;
    }
    if (!res.id) throw new AirlockError('delivery_failed', `Teams accepted the card in ${conversationId} without an activity id`, { retry: true });
    return { platform: 'teams', conversationId, activityId: res.id, serviceUrl };
  }

  async findCard(): Promise<TeamsCardRef | undefined> {
    return undefined;
  }

  async updateCard(cardRef: CardRef, content: CardContent): Promise<void> {
    const ref = cardRef as TeamsCardRef;
    const serviceUrl = await this.serviceUrl(content.action.tenant, ref.serviceUrl);
    const activity = { ...cardActivity(content, sharedView(content.group), this.deps.auditUrl?.(content.action.id)), id: ref.activityId };
    const client = await this.bot.connector(serviceUrl);
    await withRetries(`updating the card in ${ref.conversationId}`, () => client.conversations.updateActivity(ref.conversationId, ref.activityId, activity), this.retry);
  }

  /** A reply in the card's thread. */
  async postReminder(cardRef: CardRef, content: CardContent): Promise<void> {
    const ref = cardRef as TeamsCardRef;
    const serviceUrl = await this.serviceUrl(content.action.tenant, ref.serviceUrl);
    const client = await this.bot.connector(serviceUrl);
    await withRetries(
      `posting a reminder in ${ref.conversationId}`,
      () =>
        client.conversations.replyToActivity(ref.conversationId, ref.activityId, {
          type: 'message',
          textFormat: 'markdown',
          text: renderLine(content.card.reminder),
          replyToId: ref.activityId,
        } as Parameters<typeof client.conversations.replyToActivity>[2]),
      this.retry,
    );
  }

  /** A notice (incident mode start/end) as a new post in the group's conversation, rendered and escaped here. */
  async postNotice(tenant: string, group: ReviewerGroup, notice: Message): Promise<void> {
    if (!group.chat.has('teams')) return;
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
    if (!isTrustedServiceUrl(url)) throw new AirlockError('delivery_failed', `tenant ${tenant}'s Teams service URL is not https`, { retry: false });
    return url;
  }
}

function conversationOf(group: ReviewerGroup): string {
  const target = group.chat.get('teams');
  if (!target) throw new AirlockError('delivery_failed', `reviewer group ${group.name} has no Teams conversation`, { retry: false });
  return target.place;
}
