import { createHash } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { slackLogger } from './slack-logger.js';
import type { SlackTokens, SlackWorkspace } from './slack-tokens.js';
import { webClientOptions } from './web-client-options.js';

/**
 * `cards`: card jobs, which hand a 429 back to the queue (the job is
 * delayed, no worker waits); `replies`: answers to a person who clicked or
 * typed a command, which wait a 429 out (they must hear back).
 */
export type ClientPurpose = 'cards' | 'replies';

/** Workspaces with a client kept at once; the least recently used go first. */
const MAX_CLIENTS = 1_000;

/**
 * Every Web API client of the Slack adapter, one per bot token and purpose:
 * the token of the workspace a call is for (SlackTokens), its client made
 * once and kept (bounded, least recently used evicted). Keys are digests, so
 * the cache's keys hold no token.
 */
export class SlackClients {
  private readonly cache = new LRUCache<string, WebClient>({ max: MAX_CLIENTS });

  constructor(
    readonly tokens: SlackTokens,
    private readonly apiUrl: string,
    private readonly log: Logger,
  ) {}

  /** The client for a workspace; throws NotInstalled when no installation serves it. */
  async of(purpose: ClientPurpose, workspace: SlackWorkspace): Promise<WebClient> {
    return this.forToken(purpose, await this.tokens.botToken(workspace));
  }

  /** The client for a token already in hand (an inbound request's, as the installer authorized it). */
  forToken(purpose: ClientPurpose, token: string): WebClient {
    const key = `${purpose}:${createHash('sha256').update(token).digest('base64url')}`;
    let client = this.cache.get(key);
    if (!client) {
      const logger = slackLogger(this.log, `web-api:${purpose}`);
      client = new WebClient(token, webClientOptions(this.apiUrl, logger, purpose === 'cards' ? { rejectRateLimitedCalls: true } : {}));
      this.cache.set(key, client);
    }
    return client;
  }
}
