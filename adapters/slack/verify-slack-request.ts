import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Slack's signature window: a request signed more than this far from now, either way, is refused. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export type SlackRequestCheck = { ok: true; digest: Buffer; signedAt: Date } | { ok: false; why: string };

const header = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Verifies a request as Slack signs it (`v0=` HMAC-SHA256 of
 * `v0:<timestamp>:<body>` with the signing secret), dated within
 * SIGNATURE_WINDOW_SECONDS of `nowMs` in the past *and* the future (Bolt
 * refuses only stale ones). Answers the request's digest for replay
 * detection: a hash of the signature we computed, so it is the same for
 * every copy of one signed request.
 */
export function verifySlackRequest(signingSecret: string, headers: IncomingHttpHeaders, body: Buffer, nowMs: number): SlackRequestCheck {
  const ts = header(headers, 'x-slack-request-timestamp');
  const sig = header(headers, 'x-slack-signature');
  if (!ts || !/^\d{1,12}$/.test(ts)) return { ok: false, why: 'no valid x-slack-request-timestamp' };
  const m = /^v0=([0-9a-f]{64})$/.exec(sig ?? '');
  if (!m) return { ok: false, why: 'no valid x-slack-signature' };
  const skew = Number(ts) - Math.floor(nowMs / 1000);
  if (skew < -SIGNATURE_WINDOW_SECONDS) return { ok: false, why: 'stale x-slack-request-timestamp' };
  if (skew > SIGNATURE_WINDOW_SECONDS) return { ok: false, why: 'x-slack-request-timestamp in the future' };
  const expected = createHmac('sha256', signingSecret).update(`v0:${ts}:`).update(body).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'))) return { ok: false, why: 'signature mismatch' };
  return { ok: true, digest: createHash('sha256').update(expected).digest(), signedAt: new Date(Number(ts) * 1000) };
}

const isForm = (headers: IncomingHttpHeaders) => header(headers, 'content-type')?.startsWith('application/x-www-form-urlencoded') ?? false;

/** Slack's unsigned reachability probe (`ssl_check=1`); Bolt answers it and strips anything else from it. */
export const isSslCheck = (headers: IncomingHttpHeaders, body: Buffer) =>
  isForm(headers) && new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1';

/**
 * What a replayed request is answered: 200, as Slack expects of every
 * request (anything else makes it retry or show an error), and for a slash
 * command an ephemeral note, so whoever sent it knows nothing ran again.
 */
export function replayAnswer(headers: IncomingHttpHeaders, body: Buffer): { contentType?: string; body: string } {
  const form = isForm(headers) ? new URLSearchParams(body.toString('utf8')) : undefined;
  if (form?.has('command')) {
    return {
      contentType: 'application/json',
      body: JSON.stringify({ response_type: 'ephemeral', text: 'This command was already received once; it was not run again.' }),
    };
  }
  return { body: '' };
}
