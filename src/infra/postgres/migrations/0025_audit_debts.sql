-- The audit events an admin change owes the approvals it ended. The change's
-- transaction ends every covered approval and records this debt (the ended
-- ids, in order, and each tool's outcome); the events themselves, about 1 KB
-- each, are written right after the change commits, in a second transaction
-- that deletes the debt. So the admin's reply waits for the ending, not for
-- 100,000 audit events; a crash in between leaves the debt, which the
-- reconciler pays on its next tick. The events' `at` is the change's time.
CREATE TABLE audit_debts (
  id bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  at timestamptz NOT NULL,
  action_ids uuid[] NOT NULL CHECK (cardinality(action_ids) > 0),
  -- Each tool's outcome ({tool, status}; a null tool is every other tool's).
  outcomes jsonb NOT NULL,
  admin json NOT NULL,
  cause text NOT NULL,
  reason text
);
