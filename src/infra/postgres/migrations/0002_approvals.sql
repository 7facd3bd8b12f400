-- Approval loop: cards, quorum, reminders, escalation rounds.

-- Round 0 is the first reviewer group; round 1 the escalation group (escalation happens once).
ALTER TABLE actions ADD COLUMN round int NOT NULL DEFAULT 0;
-- Distinct approvers so far (reviewer keys), for a quorum of `required_approvals`.
ALTER TABLE actions ADD COLUMN approvals text[] NOT NULL DEFAULT '{}';
ALTER TABLE actions ADD COLUMN remind_at timestamptz;
ALTER TABLE actions ADD COLUMN reminded_round int;
-- Why a pending action ended without a review (timeout rule, undeliverable card, admin).
ALTER TABLE actions ADD COLUMN outcome_detail text;

CREATE INDEX actions_pending_expiry ON actions (expires_at) WHERE status = 'pending';

-- One card per action and round. A row in state 'posting' is a claim taken
-- before calling the chat platform, so two runs of the same job cannot both
-- post; a stale claim (worker died mid-post) is re-taken by the reconciler,
-- which first looks for a message that did get posted.
CREATE TABLE action_cards (
  action_id uuid NOT NULL REFERENCES actions (id),
  round int NOT NULL,
  tenant_id text NOT NULL,
  platform text NOT NULL,
  state text NOT NULL CHECK (state IN ('posting', 'posted', 'failed')),
  channel text,
  ts text,
  claimed_at timestamptz NOT NULL,
  posted_at timestamptz,
  PRIMARY KEY (action_id, round)
);
