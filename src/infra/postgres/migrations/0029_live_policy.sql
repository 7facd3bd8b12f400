-- The policy file a server last loaded successfully (at start or on a reload).
-- A server that is refused a broken edit keeps deciding with this one, so the
-- CLI, which reads the file itself, falls back to it instead of refusing every
-- command: the shell is the way out exactly when the file is broken. One row:
-- servers of one deployment load one file, and the latest load is the one
-- they run. `policy reload` also waits for `loaded_at` to move, as the sign
-- that a server took its request.
CREATE TABLE live_policy (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  file_version text NOT NULL,
  body text NOT NULL,
  loaded_at timestamptz NOT NULL
);
