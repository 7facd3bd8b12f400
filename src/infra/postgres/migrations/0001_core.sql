-- Core tables. Every table carries tenant_id and every query filters on it:
-- tenant is the isolation boundary (SPEC §1).

CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL,
  name text NOT NULL,
  -- SHA-256 of the bearer key; the key itself is shown once and never stored.
  key_hash text NOT NULL UNIQUE,
  -- Needed in clear to sign callbacks (HMAC); never returned by the API.
  callback_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name)
);

-- Admin overrides, one row per tenant; `version` is the second half of every
-- recorded policy_version, so a decision always names the state it saw.
CREATE TABLE tenant_overrides (
  tenant_id text PRIMARY KEY,
  version bigint NOT NULL,
  incident jsonb NOT NULL DEFAULT '{"on": false}',
  denied_tools jsonb NOT NULL DEFAULT '{}',
  killed_agents jsonb NOT NULL DEFAULT '{}',
  tool_modes jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE actions (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  agent text NOT NULL,
  tool text NOT NULL,
  status text NOT NULL CHECK (status IN ('decided','pending','approved','denied','expired','succeeded','failed','rolled_back')),
  decision text NOT NULL CHECK (decision IN ('allow','constrain','queue_for_approval','deny','fallback')),
  mode text NOT NULL,
  reasons jsonb NOT NULL,
  rule text NOT NULL,
  hard_boundary text NOT NULL,
  policy_version text NOT NULL,
  -- Redacted before insert: `redact` paths never reach this table.
  args jsonb NOT NULL,
  args_sha256 text NOT NULL,
  approved_args jsonb,
  summary text,
  requester jsonb NOT NULL,
  workflow text,
  environment text NOT NULL,
  session_id text,
  context jsonb NOT NULL,
  callback_url text,
  target text,
  risk text NOT NULL,
  effects jsonb NOT NULL,
  consequence text,
  reviewer_group text,
  required_approvals int,
  escalated boolean NOT NULL DEFAULT false,
  expires_at timestamptz,
  created_at timestamptz NOT NULL,
  decided_at timestamptz,
  result jsonb,
  latency_ms real,
  idempotency_key text,
  request_hash text NOT NULL,
  -- Chat card bookkeeping (platform message ids), written by the dispatcher.
  card jsonb,
  UNIQUE (tenant_id, agent, idempotency_key)
);

-- Pending work is what the reconciler, saturation check and admin commands scan.
CREATE INDEX actions_pending ON actions (tenant_id, reviewer_group, created_at) WHERE status = 'pending';
CREATE INDEX actions_tenant_created ON actions (tenant_id, created_at DESC);

CREATE TABLE reviews (
  id bigserial PRIMARY KEY,
  action_id uuid NOT NULL REFERENCES actions (id),
  tenant_id text NOT NULL,
  -- platform:team:user, so one person counts once towards a quorum.
  reviewer_key text NOT NULL,
  reviewer jsonb NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve','deny')),
  reason text,
  at timestamptz NOT NULL,
  UNIQUE (action_id, reviewer_key)
);

-- Status changes wake `GET /v1/actions/:id?wait=N` in every process.
CREATE FUNCTION airlock_notify_action() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('airlock_action', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER actions_status_notify AFTER UPDATE OF status ON actions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION airlock_notify_action();

-- Override changes invalidate every process's cache.
CREATE FUNCTION airlock_notify_overrides() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('airlock_overrides', NEW.tenant_id);
  RETURN NULL;
END $$;
CREATE TRIGGER overrides_notify AFTER INSERT OR UPDATE ON tenant_overrides
  FOR EACH ROW EXECUTE FUNCTION airlock_notify_overrides();

-- The audit trail. Intake writes events unsealed (seq NULL) in the same
-- transaction as the action; a sealer then chains them per tenant in batches,
-- so concurrent intake never waits on a per-tenant lock.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  kind text NOT NULL,
  action_id uuid,
  at timestamptz NOT NULL,
  data jsonb NOT NULL,
  seq bigint,
  prev_hash text,
  hash text,
  UNIQUE (tenant_id, seq)
);
CREATE INDEX audit_unsealed ON audit_events (tenant_id, id) WHERE seq IS NULL;
CREATE INDEX audit_action ON audit_events (tenant_id, action_id);

CREATE TABLE audit_chain_heads (
  tenant_id text PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL
);

-- Append-only: content is immutable and rows cannot be deleted. The only
-- permitted update is sealing an unsealed row once. (A superuser can still
-- bypass triggers; the hash chain is what detects that.)
CREATE FUNCTION airlock_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_events is append-only';
  END IF;
  IF OLD.seq IS NOT NULL
     OR NEW.id <> OLD.id OR NEW.tenant_id <> OLD.tenant_id OR NEW.kind <> OLD.kind
     OR NEW.action_id IS DISTINCT FROM OLD.action_id OR NEW.at <> OLD.at OR NEW.data <> OLD.data THEN
    RAISE EXCEPTION 'audit_events is append-only';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION airlock_audit_guard();
