import type { PaceRule } from '../../src/ports/send-pacer.js';

/**
 * Teams' limits for a bot sending to one conversation
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit):
 * 7 per second, 8 per 2 s, 60 per 30 s, 1800 per hour. One token bucket
 * keeps within the first three (6 at once, then one every 2 s) and at the
 * hourly rate (one every 2 s); only a full hour at that rate could overshoot
 * the hourly window, by the 6 of the first burst, and a 429 then pushes the
 * conversation's next slot past its Retry-After.
 */
export const TEAMS_PACE = {
  perConversation: { intervalMs: 2_000, burst: 6 },
} as const satisfies Record<string, PaceRule>;

/** The pacing key of sends to one conversation. */
export const conversationKey = (conversationId: string) => `teams:send:${conversationId}`;
