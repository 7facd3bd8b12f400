-- A chat app installed into many workspaces: one row per workspace install,
-- or per organisation-wide install (Slack Enterprise Grid), holding the bot
-- token (and, with token rotation, the refresh token) sealed with AES-256-GCM.
-- The key is derived from AIRLOCK_SECRET and never stored; key_id names the
-- key a row was sealed under, so rows of another secret are recognised (and
-- serve nothing) rather than mistaken for tampered ones.
CREATE TABLE chat_installations (
  id bigserial PRIMARY KEY,
  platform text NOT NULL,
  workspace_id text,
  org_id text,
  org_wide boolean NOT NULL,
  -- The workspaces an organisation-wide install was granted, as the platform
  -- last listed them: cards for a tenant's workspace find its token here.
  org_workspaces text[] NOT NULL DEFAULT '{}',
  key_id text NOT NULL,
  bot_token bytea NOT NULL,
  refresh_token bytea,
  expires_at timestamptz,
  details jsonb NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (org_wide = (workspace_id IS NULL)),
  CHECK (NOT org_wide OR org_id IS NOT NULL)
);
-- At most one install per workspace and one per organisation: installing
-- again replaces the row.
CREATE UNIQUE INDEX chat_installations_workspace ON chat_installations (platform, workspace_id) WHERE NOT org_wide;
CREATE UNIQUE INDEX chat_installations_org ON chat_installations (platform, org_id) WHERE org_wide;
CREATE INDEX chat_installations_org_workspaces ON chat_installations USING gin (org_workspaces) WHERE org_wide;

-- A card a platform holds back because the tenant's workspace has no
-- installation: not posted, not retried, and (unlike a failed one) not a
-- reason to end the action early; it still times out as usual. The check is
-- widened without a scan of the table (NOT VALID): every existing row
-- already satisfies the narrower check it replaces.
ALTER TABLE action_cards DROP CONSTRAINT action_cards_state_check;
ALTER TABLE action_cards ADD CONSTRAINT action_cards_state_check CHECK (state IN ('posting', 'posted', 'failed', 'held')) NOT VALID;
