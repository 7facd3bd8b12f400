import type { Pool } from 'pg';

/** The policy file's text and version as a server loaded it. */
export interface RecordedPolicy {
  fileVersion: string;
  body: string;
  loadedAt: Date;
}

/** Channel a `policy reload` request is sent on; every server process listens. */
export const POLICY_RELOAD_CHANNEL = 'airlock_policy_reload';

/**
 * The live policy as servers last loaded it (table `live_policy`), and the
 * request that asks every server on the database to reload its file. Left
 * out on purpose: history of earlier versions (the audit trail names the
 * version each decision used) and which process loaded it.
 */
export class PgLivePolicy {
  constructor(private readonly pool: Pool) {}

  async record(fileVersion: string, body: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO live_policy (id, file_version, body, loaded_at) VALUES (true, $1, $2, now())
       ON CONFLICT (id) DO UPDATE SET file_version = EXCLUDED.file_version, body = EXCLUDED.body, loaded_at = EXCLUDED.loaded_at`,
      [fileVersion, body],
    );
  }

  async latest(): Promise<RecordedPolicy | undefined> {
    const { rows } = await this.pool.query<{ file_version: string; body: string; loaded_at: Date }>('SELECT file_version, body, loaded_at FROM live_policy');
    const r = rows[0];
    return r && { fileVersion: r.file_version, body: r.body, loadedAt: r.loaded_at };
  }

  /** Asks every listening server to reload its file; returns the database's time of the request. */
  async requestReload(): Promise<Date> {
    const { rows } = await this.pool.query<{ at: Date }>(`SELECT clock_timestamp() AS at, pg_notify('${POLICY_RELOAD_CHANNEL}', 'reload')`);
    return rows[0]!.at;
  }
}
