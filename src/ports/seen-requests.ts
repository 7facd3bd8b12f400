/**
 * Signed requests from a chat platform that were already accepted,
 * remembered for as long as their signature is valid, in every process and
 * across restarts: a captured request sent again is recognised and refused.
 *
 * Left out on purpose: verifying the signature (the adapter does, before it
 * asks: only authentic requests are recorded), what a digest is made of (the
 * adapter's choice; it must cover the signed timestamp), and anything about
 * requests past their window (the signature check refuses those).
 */
export interface SeenRequests {
  /** Records a request; false when the same digest was recorded before (a replay). */
  firstTime(digest: Buffer, signedAt: Date): Promise<boolean>;
}
