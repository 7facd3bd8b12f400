import { AirlockError } from './errors.js';

/**
 * A platform asked us to wait (HTTP 429 with Retry-After). Not a failure of
 * the job: the queue delays it by `retryAfterMs` without spending an attempt,
 * so a card under heavy rate limiting is late, never lost.
 */
export class RateLimited extends AirlockError {
  constructor(
    readonly retryAfterMs: number,
    what: string,
  ) {
    super('delivery_failed', `${what} was rate limited; retry after ${Math.ceil(retryAfterMs / 1000)} s`, { retry: true });
    this.name = 'RateLimited';
  }
}
