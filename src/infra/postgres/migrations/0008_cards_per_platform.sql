-- One card per action, round and chat platform: a reviewer group may name a
-- Slack channel and a Teams conversation, and each gets the card. The card's
-- reference is the platform's own (Slack channel + ts, Teams conversation +
-- activity + service URL), kept as JSON the core never reads.
ALTER TABLE action_cards ADD COLUMN ref jsonb;
UPDATE action_cards SET ref = jsonb_build_object('platform', platform, 'channel', channel, 'ts', ts) WHERE channel IS NOT NULL;
ALTER TABLE action_cards DROP COLUMN channel, DROP COLUMN ts;
ALTER TABLE action_cards DROP CONSTRAINT action_cards_pkey;
ALTER TABLE action_cards ADD PRIMARY KEY (action_id, round, platform);

-- The platforms that still owe the current round's card, and when the
-- reconciler should next look at it. Set when a round starts, emptied as
-- cards are posted or fail for good. The reconciler reads only actions that
-- owe a card (the partial index), so its cost does not grow with the number
-- of pending approvals that already have theirs.
ALTER TABLE actions ADD COLUMN card_platforms text[] NOT NULL DEFAULT '{}';
ALTER TABLE actions ADD COLUMN cards_due_at timestamptz;
-- Pending approvals from before this migration were Slack's; those without a
-- posted (or finally failed) card of their round owe one now.
UPDATE actions a SET card_platforms = ARRAY['slack'], cards_due_at = now()
 WHERE a.status = 'pending'
   AND NOT EXISTS (SELECT 1 FROM action_cards c WHERE c.action_id = a.id AND c.round = a.round AND c.state IN ('posted', 'failed'));
CREATE INDEX actions_cards_due ON actions (cards_due_at) WHERE status = 'pending' AND card_platforms <> '{}';
