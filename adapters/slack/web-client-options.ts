import type { Logger } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';

/**
 * How every Slack Web API client of Airlock talks to Slack: a few quick
 * retries of a transient failure (not of a 429 where `rejectRateLimitedCalls`
 * is set: card jobs hand that back to the queue), a deadline per call, and
 * what it logs in Airlock's log (slack-logger.ts).
 */
export const webClientOptions = (apiUrl: string, logger: Logger, extra: Pick<WebClientOptions, 'rejectRateLimitedCalls'> = {}): WebClientOptions => ({
  slackApiUrl: apiUrl,
  logger,
  retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true },
  timeout: 10_000,
  ...extra,
});
