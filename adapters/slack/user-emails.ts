import type { WebClient } from '@slack/web-api';

const TTL_MS = 5 * 60_000;

/**
 * Reviewer emails via users.info, cached. Undefined when the token lacks
 * users:read.email or the lookup fails: the email is recorded when readable,
 * never required.
 */
export function makeUserEmails(client: WebClient) {
  const cache = new Map<string, { email?: string; until: number }>();
  return async (userId: string): Promise<string | undefined> => {
    const hit = cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.email;
    let email: string | undefined;
    try {
      email = (await client.users.info({ user: userId })).user?.profile?.email || undefined;
    } catch {
      email = undefined;
    }
    cache.set(userId, { email, until: Date.now() + TTL_MS });
    return email;
  };
}
