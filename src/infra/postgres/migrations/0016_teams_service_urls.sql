-- The Bot Framework connector URL last seen per Teams (AAD) tenant. Workers
-- post cards proactively and never see an activity, so the URL the API process
-- saw must be shared through the database and survive restarts. One row per
-- AAD tenant: only the newest URL matters.
CREATE TABLE teams_service_urls (
  aad_tenant_id text PRIMARY KEY,
  service_url text NOT NULL,
  seen_at timestamptz NOT NULL
);
