import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** A reviewer's email, read with the client of the workspace asking; undefined when it cannot be read. */
export type MemberEmails = (client: WebClient, userId: string) => Promise<string | undefined>;

/**
 * Reviewer emails via users.info, cached (bounded, least recently used
 * evicted first). Undefined when the token lacks users:read.email or the
 * lookup fails: the email is recorded when readable, never required. Slack
 * user ids are unique across workspaces, so one cache serves them all.
 */
export function makeMemberEmails(): MemberEmails {
  // An unreadable email is cached too (as null), so a token without the scope is not asked again at every click.
  const cache = new LRUCache<string, { email: string | null }>({ max: MAX_ENTRIES, ttl: TTL_MS });
  return async (client, userId) => {
    const hit = cache.get(userId);
    if (hit) return hit.email ?? undefined;
    let email: string | undefined;
    try {
      email = (await client.users.info({ user: userId })).user?.profile?.email || undefined;
    } catch {
      email = undefined;
    }
    cache.set(userId, { email: email ?? null });
    return email;
  };
}
