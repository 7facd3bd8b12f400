-- Agent keys get a lifecycle: an agent holds several keys over time (rotation
-- with a grace period, revocation), so keys move out of `agents` into their
-- own table. Keys are still stored only as SHA-256 digests of the key.
CREATE TABLE agent_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id),
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set by a rotation with a grace period: the key works until then.
  expires_at timestamptz,
  -- Set by a revocation (or a rotation without grace): the key stopped working then.
  revoked_at timestamptz
);
CREATE INDEX agent_keys_agent ON agent_keys (agent_id);

INSERT INTO agent_keys (agent_id, key_hash, created_at) SELECT id, key_hash, created_at FROM agents;
ALTER TABLE agents DROP COLUMN key_hash;

-- A revocation or a grace period must reach every process's authentication
-- cache at once (a new key needs no notice: unknown keys are never cached).
CREATE FUNCTION airlock_notify_agent_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('airlock_agent_keys', '');
  RETURN NULL;
END $$;
CREATE TRIGGER agent_keys_notify AFTER UPDATE OR DELETE ON agent_keys
  FOR EACH STATEMENT EXECUTE FUNCTION airlock_notify_agent_keys();
