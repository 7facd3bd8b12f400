-- Ending 100,000 pending approvals at once (an admin command) rewrites every
-- one of their rows, so the row that changes must stay narrow: the request's
-- arguments and context (about 1 KB each in practice, never changed once
-- written; reviewers' edits go to approved_args) move to their own table.
-- Rows written before this keep the dropped columns' bytes until rewritten.
CREATE TABLE action_payloads (
  action_id uuid PRIMARY KEY,
  args jsonb NOT NULL,
  context jsonb NOT NULL
);
INSERT INTO action_payloads (action_id, args, context) SELECT id, args, context FROM actions;
ALTER TABLE actions DROP COLUMN args, DROP COLUMN context;

-- Fewer index entries per row version: most actions carry no idempotency key,
-- and nothing reads actions by tenant and creation time alone.
ALTER TABLE actions DROP CONSTRAINT actions_tenant_id_agent_idempotency_key_key;
CREATE UNIQUE INDEX actions_idempotency ON actions (tenant_id, agent, idempotency_key) WHERE idempotency_key IS NOT NULL;
DROP INDEX actions_tenant_created;

-- A statement that ends many actions at once wakes the waiters itself (one
-- notification per action, or one '*' for all when there are many) and sets
-- airlock.bulk_notify for its transaction, so this row trigger stands aside
-- without even being called.
DROP TRIGGER actions_status_notify ON actions;
CREATE TRIGGER actions_status_notify AFTER UPDATE OF status ON actions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND current_setting('airlock.bulk_notify', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION airlock_notify_action();
