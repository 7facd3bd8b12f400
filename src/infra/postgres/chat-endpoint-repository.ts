import type { Pool } from 'pg';
import type { ServiceUrlStore } from '../../ports/service-url-store.js';

const CACHE_MS = 60_000;

export class PgServiceUrlStore implements ServiceUrlStore {
  // Every activity reports its URL; only a change (or a stale cache) reaches Postgres.
  private readonly written = new Map<string, { url: string; until: number }>();

  constructor(private readonly pool: Pool) {}

  async seen(aadTenantId: string, serviceUrl: string, at: Date): Promise<void> {
    const hit = this.written.get(aadTenantId);
    if (hit && hit.url === serviceUrl && hit.until > Date.now()) return;
    // An older activity processed late must not overwrite a newer URL.
    await this.pool.query(
      `INSERT INTO teams_service_urls (aad_tenant_id, service_url, seen_at) VALUES ($1, $2, $3)
       ON CONFLICT (aad_tenant_id) DO UPDATE SET service_url = EXCLUDED.service_url, seen_at = EXCLUDED.seen_at
         WHERE teams_service_urls.seen_at <= EXCLUDED.seen_at
           AND (teams_service_urls.service_url <> EXCLUDED.service_url OR teams_service_urls.seen_at < EXCLUDED.seen_at - interval '1 hour')`,
      [aadTenantId, serviceUrl, at],
    );
    this.written.set(aadTenantId, { url: serviceUrl, until: Date.now() + CACHE_MS });
  }

  async latest(aadTenantId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ service_url: string }>('SELECT service_url FROM teams_service_urls WHERE aad_tenant_id = $1', [aadTenantId]);
    return rows[0]?.service_url;
  }
}
