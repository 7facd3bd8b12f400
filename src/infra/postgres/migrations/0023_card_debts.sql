-- The cards a round still owes move out of the action's row: posting a card
-- no longer rewrites the action (with 100,000 pending approvals, that was
-- 100,000 dead row versions and index entries that every later scan of the
-- pending approvals, and an admin change ending them, had to step over).
-- A row exists while some platform still owes the round's card; one whose
-- action has moved on (decided, or escalated to a new round) is deleted by the
-- reconciler when it next comes due.
CREATE TABLE card_debts (
  action_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  round int NOT NULL,
  platforms text[] NOT NULL CHECK (cardinality(platforms) > 0),
  due_at timestamptz NOT NULL
);
CREATE INDEX card_debts_due ON card_debts (due_at);
INSERT INTO card_debts (action_id, tenant_id, round, platforms, due_at)
  SELECT id, tenant_id, round, card_platforms, COALESCE(cards_due_at, now()) FROM actions
  WHERE status = 'pending' AND card_platforms <> '{}';
DROP INDEX actions_cards_due;
ALTER TABLE actions DROP COLUMN card_platforms, DROP COLUMN cards_due_at;
