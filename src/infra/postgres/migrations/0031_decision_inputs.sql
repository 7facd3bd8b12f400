-- A policy plan replays recorded requests as they were decided, and that
-- needs the admin overrides each decision saw. `actions.policy_version`
-- names them at intake, but a review or an admin change rewrites it, so the
-- version is kept where nothing changes it: beside the request's arguments.
-- Rows written before this have none; a plan counts them as undetermined.
ALTER TABLE action_payloads ADD COLUMN overrides_version bigint;

-- Every state a tenant's overrides have been in, by version, so a past
-- decision's overrides can be rebuilt. Written by a trigger, in the
-- transaction of the change itself, so no writer can bump a version without
-- leaving its state. The states before this migration are gone; only the
-- current one can be kept.
CREATE TABLE override_versions (
  tenant_id text NOT NULL,
  version bigint NOT NULL,
  state jsonb NOT NULL,
  PRIMARY KEY (tenant_id, version)
);

CREATE FUNCTION airlock_keep_override_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO override_versions (tenant_id, version, state)
  VALUES (NEW.tenant_id, NEW.version, jsonb_build_object('incident', NEW.incident, 'denied_tools', NEW.denied_tools,
    'killed_agents', NEW.killed_agents, 'tool_modes', NEW.tool_modes))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER overrides_keep_version AFTER INSERT OR UPDATE ON tenant_overrides
  FOR EACH ROW EXECUTE FUNCTION airlock_keep_override_version();

INSERT INTO override_versions (tenant_id, version, state)
SELECT tenant_id, version, jsonb_build_object('incident', incident, 'denied_tools', denied_tools,
  'killed_agents', killed_agents, 'tool_modes', tool_modes)
FROM tenant_overrides;
