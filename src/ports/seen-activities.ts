/**
 * Bot Framework activities already accepted, remembered until the token that
 * carried them expires, in every process and across restarts: a captured
 * activity sent again with its still-valid token is recognised and refused.
 * Unlike a signed Slack request, the channel token does not sign the body
 * and lives for about an hour, so the record is keyed by the activity's own
 * identity and kept for the token's lifetime.
 *
 * Left out on purpose: authenticating the activity (the adapter does, before
 * it asks: only authentic activities are recorded), what the key is made of
 * (the adapter's choice), and tokens valid for longer than the record can
 * hold (MAX_VALID_AHEAD_MS: the adapter refuses those).
 */
export interface SeenActivities {
  /** Records an activity until `validUntil`; false when the same key was recorded before (a replay). */
  firstTime(key: Buffer, validUntil: Date): Promise<boolean>;
}

/** The furthest ahead of now a `validUntil` may lie (Bot Framework issues tokens for about an hour). */
export const MAX_VALID_AHEAD_MS = 2 * 3600_000;
