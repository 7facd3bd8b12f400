import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import type { ChatEndpointStore } from '../../ports/chat-endpoint-store.js';

const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;

export class PgChatEndpointStore implements ChatEndpointStore {
  // Every request reports its URL; only a change (or a stale cache) reaches Postgres.
  private readonly written = new LRUCache<string, string>({ max: CACHE_MAX, ttl: CACHE_MS });

  constructor(private readonly pool: Pool) {}

  async seen(platform: string, workspace: string, url: string, at: Date): Promise<void> {
    const key = JSON.stringify([platform, workspace]);
    if (this.written.get(key) === url) return;
    // An older request processed late must not overwrite a newer URL.
    await this.pool.query(
      `INSERT INTO chat_endpoints (platform, workspace_id, url, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform, workspace_id) DO UPDATE SET url = EXCLUDED.url, seen_at = EXCLUDED.seen_at
         WHERE chat_endpoints.seen_at <= EXCLUDED.seen_at
           AND (chat_endpoints.url <> EXCLUDED.url OR chat_endpoints.seen_at < EXCLUDED.seen_at - interval '1 hour')`,
      [platform, workspace, url, at],
    );
    this.written.set(key, url);
  }

  async latest(platform: string, workspace: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ url: string }>('SELECT url FROM chat_endpoints WHERE platform = $1 AND workspace_id = $2', [platform, workspace]);
    return rows[0]?.url;
  }
}
