import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/bolt';
import type { SeenRequests } from '../../src/ports/seen-requests.js';

/** How long an install link stays good: within the signature window SeenRequests remembers (it keeps a digest at least this long). */
export const STATE_TTL_SECONDS = 300;
/** A state dated this far ahead of our clock (another process's clock) is still accepted. */
const CLOCK_SKEW_MS = 60_000;

/** A state refused: the installer reports it by this code, as it does its own (`slack_oauth_invalid_state`). */
export class StateRefused extends Error {
  readonly code = 'slack_oauth_invalid_state';
  constructor(why: string) {
    super(`install state refused: ${why}`);
    this.name = 'StateRefused';
  }
}

/**
 * The state of an OAuth install: the install options, when it was made and
 * a random nonce, signed (HMAC-SHA256 with SLACK_STATE_SECRET). The
 * installer also sets it as a cookie and requires the two to match, which
 * binds it to the browser that started. Here it is also good for
 * STATE_TTL_SECONDS only, and once: its digest is recorded in SeenRequests,
 * so a replayed redirect (code, state and cookie all captured) is refused by
 * every process of the database.
 */
export function oauthStateStore(secret: string, seen: SeenRequests | undefined): StateStore {
  const mac = (payload: string) => createHmac('sha256', secret).update('airlock slack install state\n').update(payload).digest();
  return {
    async generateStateParam(installOptions: InstallURLOptions, now: Date) {
      const payload = Buffer.from(JSON.stringify({ o: installOptions, t: now.getTime(), n: randomBytes(16).toString('base64url') })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    async verifyStateParam(now: Date, state: string) {
      const [payload, signature, extra] = state.split('.');
      if (!payload || !signature || extra !== undefined) throw new StateRefused('malformed');
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new StateRefused('bad signature');
      const { o, t } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { o: InstallURLOptions; t: number };
      const age = now.getTime() - t;
      if (age > STATE_TTL_SECONDS * 1000 || age < -CLOCK_SKEW_MS) throw new StateRefused('expired');
      const digest = createHash('sha256').update('slack install state\0').update(state).digest();
      if (seen && !(await seen.firstTime(digest, new Date(t)))) throw new StateRefused('already used');
      return o;
    },
  };
}
