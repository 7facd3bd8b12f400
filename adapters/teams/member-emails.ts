import type { TurnContext } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { BotFramework } from './bot-framework.js';
import type { InboundActivity } from './parse-activity.js';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

export interface MemberEmails {
  /** The clicker's UPN (or email) from the connector's member lookup; undefined when it cannot be read. */
  of(context: TurnContext, activity: InboundActivity): Promise<string | undefined>;
}

/**
 * UPN/email of a Teams user via GET /v3/conversations/{id}/members/{userId},
 * cached per AAD tenant and user. Recorded when readable, never required
 * (the reviewer's identity is the AAD object id).
 */
export function makeMemberEmails(bot: BotFramework): MemberEmails {
  // An unreadable email is cached too (as null), so the connector is not asked again at every click.
  const cache = new LRUCache<string, { email: string | null }>({ max: MAX_ENTRIES, ttl: TTL_MS });
  return {
    async of(context, activity) {
      const userId = typeof activity.from?.id === 'string' ? activity.from.id : undefined;
      const conversation = typeof activity.conversation?.id === 'string' ? activity.conversation.id.split(';')[0] : undefined;
      const tenant = typeof activity.channelData?.tenant?.id === 'string' ? activity.channelData.tenant.id : '';
      if (!userId || !conversation) return undefined;
      const key = `${tenant}:${userId}`;
      const hit = cache.get(key);
      if (hit) return hit.email ?? undefined;
      let email: string | undefined;
      try {
        const member = (await bot.turnConnector(context).conversations.getConversationMember(conversation, userId)) as { userPrincipalName?: string; email?: string };
        email = member.userPrincipalName || member.email || undefined;
      } catch {
        email = undefined;
      }
      cache.set(key, { email: email ?? null });
      return email;
    },
  };
}
