-- The Teams-only table of connector URLs becomes one for any chat platform
-- that moves a workspace between endpoints: keyed by platform and workspace,
-- existing rows kept (they are all Teams').
ALTER TABLE teams_service_urls RENAME TO chat_endpoints;
ALTER TABLE chat_endpoints RENAME COLUMN aad_tenant_id TO workspace_id;
ALTER TABLE chat_endpoints RENAME COLUMN service_url TO url;
ALTER TABLE chat_endpoints ADD COLUMN platform text NOT NULL DEFAULT 'teams';
ALTER TABLE chat_endpoints ALTER COLUMN platform DROP DEFAULT;
ALTER TABLE chat_endpoints DROP CONSTRAINT teams_service_urls_pkey;
ALTER TABLE chat_endpoints ADD PRIMARY KEY (platform, workspace_id);
