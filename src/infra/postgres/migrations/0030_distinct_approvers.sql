-- A quorum counts distinct people, not spellings or platform identities.
--
-- The verified emails of the approvals that count (this round, this version
-- of the arguments), trimmed and lower-cased: one person listed on Slack and
-- on Teams clicks as two reviewer keys but has one email. They sit on the
-- action row beside `approvals`, so the one conditional UPDATE that decides a
-- click also sees a concurrent click from the other platform (it waits on the
-- row lock, then re-checks the row).
ALTER TABLE actions ADD COLUMN approval_emails text[] NOT NULL DEFAULT '{}';

-- Reviewer keys (platform:workspace:user) are written trimmed and lower-cased
-- from now on, as membership compares ids; before, `U0A1` and `u0a1` were two
-- approvers. Only pending actions can still be approved, so only their
-- reviews and counts are brought in line. Reviews whose keys already differ
-- only by case (the double count this fixes) stay as recorded: they are the
-- history of what happened, and the unique constraint would refuse merging them.
UPDATE reviews r SET reviewer_key = lower(btrim(r.reviewer_key))
  FROM actions a
 WHERE a.id = r.action_id AND a.status = 'pending' AND r.reviewer_key <> lower(btrim(r.reviewer_key))
   AND NOT EXISTS (
     SELECT 1 FROM reviews o
      WHERE o.action_id = r.action_id AND o.round = r.round AND o.args_version = r.args_version
        AND o.id <> r.id AND lower(btrim(o.reviewer_key)) = lower(btrim(r.reviewer_key)));

UPDATE actions a SET
  approvals = ARRAY(SELECT DISTINCT lower(btrim(k)) FROM unnest(a.approvals) AS k),
  approval_emails = ARRAY(
    SELECT DISTINCT lower(btrim(r.reviewer->>'email')) FROM reviews r
     WHERE r.action_id = a.id AND r.round = a.round AND r.args_version = a.args_version
       AND r.decision = 'approve' AND COALESCE(btrim(r.reviewer->>'email'), '') <> '')
 WHERE a.status = 'pending' AND a.approvals <> '{}';
