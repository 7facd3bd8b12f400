import type { PaceRule } from '../../src/ports/send-pacer.js';

/**
 * Slack's Web API limits that Airlock paces itself by
 * (https://docs.slack.dev/apis/web-api/rate-limits), applied "per method per
 * workspace per app", and for chat.postMessage also per channel.
 *
 * - chat.postMessage: "generally one message per second per channel, short
 *   bursts over 1 allowed" (how long a burst may be is not documented: Airlock
 *   allows itself 4 at once per channel, then one a second);
 * - chat.update (Tier 3): "50+ per minute, sporadic bursts welcome": Airlock
 *   keeps to 50 a minute, bursts of up to 40.
 *
 * The test fake (test/fakes/fake-slack-api.ts, `limits`) enforces a little
 * more than these (bursts of 5 and 50), so a few ms of jitter between a slot
 * being handed out and the call arriving never turns into a 429.
 *
 * Not paced: conversations.history (only after a worker died mid-post) and
 * replies to a clicker (their own client, which waits out a 429 itself: a
 * reviewer must hear back). chat.postMessage's workspace-wide limit is not
 * documented as a number, so only the 429s Slack sends enforce it.
 */
export const SLACK_PACE = {
  postPerChannel: { intervalMs: 1_000, burst: 4 },
  tier3: { intervalMs: 1_200, burst: 40 },
} as const satisfies Record<string, PaceRule>;

/** The pacing key of posts to one channel (channel ids are per workspace, hence the team). */
export const channelKey = (team: string, channel: string) => `slack:${team}:chat.postMessage:${channel}`;
/** The pacing key of one method in one workspace. */
export const methodKey = (team: string, method: string) => `slack:${team}:${method}`;
