import { AirlockError } from '../../src/domain/errors.js';

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

/** Maps a WebClient failure to an AirlockError that says whether retrying can help. */
export function toDeliveryError(err: unknown, what: string): AirlockError {
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code && PERMANENT.has(code)) {
    return new AirlockError('delivery_failed', `Slack refused ${what}: ${code}`, { retry: false, cause: err, context: { slack_error: code } });
  }
  return new AirlockError('delivery_failed', `Slack ${what} failed: ${code ?? (err as Error).message ?? 'error'}`, { retry: true, cause: err });
}
