import { AirlockError } from '../../src/domain/errors.js';

/**
 * Connector answers no retry can fix: 401/403 (the bot was removed from the
 * team or conversation, or is not allowed there), 404 (the conversation or
 * message is gone), 400/413 (Teams refuses the card itself). They end the
 * action by its timeout rule (see post-card). 429 and 5xx stay retryable.
 */
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413]);

export const statusOf = (err: unknown): number | undefined => {
  const e = err as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const s = e?.statusCode ?? e?.response?.status ?? e?.status;
  return typeof s === 'number' ? s : undefined;
};

/** Maps a connector failure to an AirlockError that says whether retrying can help. Never includes a token. */
export function toDeliveryError(err: unknown, what: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const status = statusOf(err);
  const code = (err as { code?: unknown })?.code;
  if (status !== undefined && PERMANENT.has(status)) {
    return new AirlockError('delivery_failed', `Teams refused ${what}: HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}`, {
      retry: false,
      cause: err,
      context: { teams_status: status },
    });
  }
  return new AirlockError('delivery_failed', `Teams ${what} failed: ${status ? `HTTP ${status}` : ((err as Error)?.message ?? 'error').slice(0, 200)}`, { retry: true, cause: err });
}
