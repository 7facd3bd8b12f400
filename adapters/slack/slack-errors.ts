import { ErrorCode, type WebAPIRateLimitedError } from '@slack/web-api';
import { AirlockError } from '../../src/domain/errors.js';
import { RateLimited } from '../../src/domain/rate-limited.js';

/**
 * Slack errors that no retry can fix: the card's channel or the token is
 * wrong. They end the action by its timeout rule (see post-card).
 */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'token_revoked',
  'token_expired',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'missing_scope',
  'team_access_not_granted',
  'invalid_blocks',
  'restricted_action',
]);

/** Maps a WebClient failure to an AirlockError that says whether retrying can help, and when (429). */
export function toDeliveryError(err: unknown, what: string): AirlockError {
  if ((err as { code?: string }).code === ErrorCode.RateLimitedError) {
    return new RateLimited(Math.max(1, (err as WebAPIRateLimitedError).retryAfter) * 1000, `Slack ${what}`);
  }
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code && PERMANENT.has(code)) {
    return new AirlockError('delivery_failed', `Slack refused ${what}: ${code}`, { retry: false, cause: err, context: { slack_error: code } });
  }
  return new AirlockError('delivery_failed', `Slack ${what} failed: ${code ?? (err as Error).message ?? 'error'}`, { retry: true, cause: err });
}

/** Errors of the start-up check that mean the token itself is wrong. */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission']);

/** What an operator should fix when Slack cannot be reached at start: the variable, never its value. */
export function startupProblem(err: unknown): string {
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code && BAD_TOKEN.has(code)) return `Slack refused SLACK_BOT_TOKEN (${code}): set a valid bot token`;
  if (code) return `Slack answered ${code} to auth.test: check SLACK_BOT_TOKEN and the app's installation`;
  return `cannot reach Slack at SLACK_API_URL (${(err as Error).message?.slice(0, 120) ?? 'error'}): check the network or proxy`;
}
