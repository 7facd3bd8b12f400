-- Approvals bind to the arguments the approvers saw (issue: "the gate holds").
--
-- A reviewer's "approve with changes" makes a new version of the arguments:
-- `approved_args` holds its redacted view, `args_version` counts versions,
-- `args_edits` records who changed what (never a redacted path), and
-- `approvals` only ever holds approvers of the current version and round.
ALTER TABLE actions ADD COLUMN args_version int NOT NULL DEFAULT 1;
ALTER TABLE actions ADD COLUMN args_edits jsonb NOT NULL DEFAULT '[]';
-- The tool's `redact` paths when the action was submitted: what `args` masks.
ALTER TABLE actions ADD COLUMN redact jsonb NOT NULL DEFAULT '[]';
-- HMAC (keyed with AIRLOCK_SECRET, which the database never holds) of the
-- submitted arguments, redacted values included: a reported result is checked
-- against it. `args_sha256` becomes the keyed binding digest of the current version.
ALTER TABLE actions ADD COLUMN submitted_args_digest text;

-- Digests written before this migration were unkeyed SHA-256 of the full
-- arguments, from which a short redacted value (a PIN) can be recovered by
-- guessing. They are scrubbed here; results for such actions are recorded as
-- not matching, and an Idempotency-Key replay of such a request answers 409.
-- (Audit events are append-only: events written before this migration keep
-- the digests they were sealed with.)
UPDATE actions SET args_sha256 = 'scrubbed:unkeyed-digest-removed', request_hash = NULL;
UPDATE actions SET submitted_args_digest = 'scrubbed:unkeyed-digest-removed';
ALTER TABLE actions ALTER COLUMN submitted_args_digest SET NOT NULL;

-- A review is given in one round for one version of the arguments, and binds
-- to that version's digest. One person may approve again after an edit or in
-- the escalation round, so uniqueness covers both.
ALTER TABLE reviews ADD COLUMN round int NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN args_version int NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN args_sha256 text;
ALTER TABLE reviews DROP CONSTRAINT reviews_action_id_reviewer_key_key;
ALTER TABLE reviews ADD CONSTRAINT reviews_one_per_version UNIQUE (action_id, reviewer_key, round, args_version);
