import type { Pool } from 'pg';
import type { ChatInstallation, ChatInstallations, InstallationWhere, Unserved } from '../../ports/chat-installations.js';
import type { TokenCipher } from './token-cipher.js';

interface Row {
  platform: string;
  workspace_id: string | null;
  org_id: string | null;
  org_wide: boolean;
  org_workspaces: string[];
  bot_token: Buffer;
  refresh_token: Buffer | null;
  expires_at: Date | null;
  details: Record<string, unknown>;
}

const COLUMNS = 'platform, workspace_id, org_id, org_wide, org_workspaces, bot_token, refresh_token, expires_at, details';

/** What a sealed token is bound to: its row (platform and workspace or organisation) and field. */
const boundOf = (i: { platform: string; orgWide: boolean; workspaceId?: string; orgId?: string }, field: 'bot' | 'refresh') =>
  [i.platform, i.orgWide ? 'org' : 'workspace', (i.orgWide ? i.orgId : i.workspaceId) ?? '', field].join('\0');

/**
 * ChatInstallations in Postgres (migration 0036): tokens sealed by a
 * TokenCipher before they are written, opened after they are read; a row
 * sealed under another key is never read as an installation.
 */
export class PgChatInstallations implements ChatInstallations {
  constructor(
    private readonly pool: Pool,
    private readonly cipher: TokenCipher,
  ) {}

  async save(i: ChatInstallation): Promise<void> {
    const conflict = i.orgWide ? '(platform, org_id) WHERE org_wide' : '(platform, workspace_id) WHERE NOT org_wide';
    await this.pool.query(
      `INSERT INTO chat_installations (platform, workspace_id, org_id, org_wide, org_workspaces, key_id, bot_token, refresh_token, expires_at, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ${conflict} DO UPDATE SET
         org_id = EXCLUDED.org_id, org_workspaces = EXCLUDED.org_workspaces, key_id = EXCLUDED.key_id,
         bot_token = EXCLUDED.bot_token, refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at,
         details = EXCLUDED.details, updated_at = now()`,
      [
        i.platform,
        i.orgWide ? null : (i.workspaceId ?? null),
        i.orgId ?? null,
        i.orgWide,
        i.orgWide ? [...new Set(i.orgWorkspaces)] : [],
        this.cipher.keyId,
        this.cipher.seal(i.botToken, boundOf(i, 'bot')),
        i.refreshToken === undefined ? null : this.cipher.seal(i.refreshToken, boundOf(i, 'refresh')),
        i.expiresAt ?? null,
        JSON.stringify(i.details),
      ],
    );
  }

  async find(platform: string, where: InstallationWhere): Promise<ChatInstallation | undefined> {
    const key = this.cipher.keyId;
    if (where.orgWide) {
      if (!where.orgId) return undefined;
      const { rows } = await this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM chat_installations WHERE platform = $1 AND org_wide AND org_id = $2 AND key_id = $3`,
        [platform, where.orgId, key],
      );
      return rows[0] && this.open(rows[0]);
    }
    // A workspace's own install first; else the organisation's, named by the request or listing the workspace.
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS}, 0 AS rank FROM chat_installations WHERE platform = $1 AND NOT org_wide AND workspace_id = $2 AND key_id = $4
       UNION ALL
       SELECT ${COLUMNS}, CASE WHEN org_id = $3 THEN 1 ELSE 2 END FROM chat_installations
        WHERE platform = $1 AND org_wide AND key_id = $4 AND (org_id = $3 OR org_workspaces @> ARRAY[$2::text])
       ORDER BY rank LIMIT 1`,
      [platform, where.workspaceId ?? null, where.orgId ?? null, key],
    );
    return rows[0] && this.open(rows[0]);
  }

  async remove(platform: string, where: InstallationWhere): Promise<number> {
    const { rowCount } = where.orgWide
      ? await this.pool.query('DELETE FROM chat_installations WHERE platform = $1 AND org_wide AND org_id = $2', [platform, where.orgId ?? null])
      : await this.pool.query('DELETE FROM chat_installations WHERE platform = $1 AND NOT org_wide AND workspace_id = $2', [platform, where.workspaceId ?? null]);
    return rowCount ?? 0;
  }

  async changeOrgWorkspaces(platform: string, orgId: string, change: { add?: string[]; remove?: string[] }): Promise<void> {
    await this.pool.query(
      `UPDATE chat_installations
          SET org_workspaces = ARRAY(SELECT DISTINCT w FROM unnest(org_workspaces || $3::text[]) w WHERE w <> ALL ($4::text[]) ORDER BY w), updated_at = now()
        WHERE platform = $1 AND org_wide AND org_id = $2`,
      [platform, orgId, change.add ?? [], change.remove ?? []],
    );
  }

  async unserved(platform: string, workspaceIds: readonly string[]): Promise<Map<string, Unserved>> {
    if (workspaceIds.length === 0) return new Map();
    // Served: a workspace's own install, or an organisation-wide one listing it, sealed under this key.
    const { rows } = await this.pool.query<{ workspace: string; other_secret: boolean }>(
      `WITH w AS (SELECT DISTINCT unnest($2::text[]) AS workspace),
       i AS (
         SELECT w.workspace, c.key_id = $3 AS readable
           FROM w JOIN chat_installations c
             ON c.platform = $1 AND ((NOT c.org_wide AND c.workspace_id = w.workspace) OR (c.org_wide AND c.org_workspaces @> ARRAY[w.workspace]))
       )
       SELECT w.workspace, EXISTS (SELECT 1 FROM i WHERE i.workspace = w.workspace) AS other_secret
         FROM w WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.workspace = w.workspace AND i.readable)
        ORDER BY w.workspace`,
      [platform, workspaceIds, this.cipher.keyId],
    );
    return new Map(rows.map((r) => [r.workspace, r.other_secret ? 'other_secret' : 'not_installed']));
  }

  private open(row: Row): ChatInstallation {
    const i = { platform: row.platform, orgWide: row.org_wide, workspaceId: row.workspace_id ?? undefined, orgId: row.org_id ?? undefined };
    let botToken: string;
    let refreshToken: string | undefined;
    try {
      botToken = this.cipher.open(row.bot_token, boundOf(i, 'bot'));
      refreshToken = row.refresh_token ? this.cipher.open(row.refresh_token, boundOf(i, 'refresh')) : undefined;
    } catch (err) {
      // Sealed under this key (key_id matched), yet it does not open: the row was altered.
      throw new Error(`the stored ${i.platform} token of ${i.orgWide ? `organisation ${i.orgId}` : `workspace ${i.workspaceId}`} does not open: it was altered in the database; install the app there again`, { cause: err });
    }
    return {
      ...i,
      orgWorkspaces: row.org_workspaces,
      botToken,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      details: row.details,
    };
  }
}
