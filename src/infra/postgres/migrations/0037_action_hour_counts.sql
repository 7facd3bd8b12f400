-- The evidence report (and the console's dashboard) read a tenant's actions
-- over windows of days to months: counted from the rows at each view, a
-- million actions cost seconds. These tables keep what the report derives its
-- figures from, maintained by triggers in the same transaction as every
-- change of an action, so a report reads counts instead of rows and still
-- sees exactly what the actions say (same snapshot, no lag, whichever code
-- path or SQL statement changed them).
--
-- action_hour_counts: how many actions of each kind were created in each UTC
-- hour, by every column a figure depends on. Written only by the compaction
-- sweep (one process at a time), which folds action_count_changes into it.
--
-- action_count_changes: the triggers' deltas (+n for actions entering a
-- kind, -n for actions leaving it), appended without a lock on any shared row, so
-- concurrent intake and reviews never wait for each other here. Readers add
-- both tables; the sweep moves the deltas every few seconds and vacuums this
-- table itself, since nothing may depend on autovacuum. No index: it holds a
-- few seconds of changes.
--
-- review_durations: per action the reviewers decided, seconds from request to
-- decision, for exact percentiles without reading the (wide) action rows.

CREATE TABLE action_hour_counts (
  tenant_id text NOT NULL,
  hour timestamptz NOT NULL,
  tool text NOT NULL,
  reviewer_group text,
  status text NOT NULL,
  decision text NOT NULL,
  mode text NOT NULL,
  incident boolean NOT NULL,
  args_mismatch boolean NOT NULL,
  n bigint NOT NULL
);
CREATE UNIQUE INDEX action_hour_counts_key ON action_hour_counts
  (tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch) NULLS NOT DISTINCT;

CREATE TABLE action_count_changes (LIKE action_hour_counts);
-- Truncating the emptied end of the table would take a lock every intake
-- statement's trigger waits on; its pages are reused instead.
ALTER TABLE action_count_changes SET (vacuum_truncate = false);

CREATE TABLE review_durations (
  action_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  created_at timestamptz NOT NULL,
  tool text NOT NULL,
  reviewer_group text NOT NULL,
  seconds float8 NOT NULL
);
CREATE INDEX review_durations_window ON review_durations (tenant_id, created_at);

-- The partial hours at a window's edges are read from the actions themselves
-- by creation time. A BRIN index answers that for the cost of a summary per
-- 32 pages (actions are written in time order), where a B-tree would add an
-- entry to every row version intake writes. New pages are summarised by the
-- worker's sweep (brin_summarize_new_values), not by autovacuum.
CREATE INDEX actions_created_brin ON actions USING brin (created_at) WITH (pages_per_range = 32);

-- The hour an action counts in: hours since the Unix epoch, whatever the session's time zone.
CREATE FUNCTION action_count_hour(created_at timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN date_bin('1 hour', created_at, timestamptz 'epoch');

CREATE FUNCTION action_args_mismatch(result jsonb) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN COALESCE(result->>'argsCheck' = 'mismatch', false);

-- Decided by its reviewers: approved (whatever its result) or denied by them;
-- a timeout, an admin change or a reload leaves another decision behind.
CREATE FUNCTION action_reviewed(reviewer_group text, decision text, status text, decided_at timestamptz) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN reviewer_group IS NOT NULL AND decision = 'queue_for_approval'
    AND status IN ('approved', 'denied', 'succeeded', 'failed', 'rolled_back') AND decided_at IS NOT NULL;

-- Intake writes many actions per statement (group commit): one delta per kind, not per action.
CREATE FUNCTION action_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO action_count_changes (tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch, n)
  SELECT tenant_id, action_count_hour(created_at), tool, reviewer_group, status, decision, mode,
    rule = 'overrides.incident', action_args_mismatch(result), count(*)
  FROM added
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  INSERT INTO review_durations (action_id, tenant_id, created_at, tool, reviewer_group, seconds)
  SELECT id, tenant_id, created_at, tool, reviewer_group, extract(epoch FROM decided_at - created_at)::float8
  FROM added
  WHERE action_reviewed(reviewer_group, decision, status, decided_at);
  RETURN NULL;
END $$;

-- An update, per statement as for intake: the rows as they were (`was`, -1
-- each) and are (`became`, +1 each), netted per kind, so that rows whose kind
-- did not change leave no delta (a statement ending 100,000 approvals writes
-- one delta per kind and hour, not two per row).
CREATE FUNCTION action_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO action_count_changes (tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch, n)
  SELECT tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch, sum(n)
  FROM (
    SELECT tenant_id, action_count_hour(created_at) AS hour, tool, reviewer_group, status, decision, mode,
      rule = 'overrides.incident' AS incident, action_args_mismatch(result) AS args_mismatch, -1 AS n
    FROM was
    UNION ALL
    SELECT tenant_id, action_count_hour(created_at), tool, reviewer_group, status, decision, mode,
      rule = 'overrides.incident', action_args_mismatch(result), 1
    FROM became
  ) moved
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  HAVING sum(n) <> 0;
  -- Durations: only when a row reviewers decided is among them, before or after.
  IF EXISTS (SELECT 1 FROM was WHERE action_reviewed(reviewer_group, decision, status, decided_at))
     OR EXISTS (SELECT 1 FROM became WHERE action_reviewed(reviewer_group, decision, status, decided_at)) THEN
    DELETE FROM review_durations d USING was w
    WHERE d.action_id = w.id AND NOT EXISTS (
      SELECT 1 FROM became n WHERE n.id = w.id AND action_reviewed(n.reviewer_group, n.decision, n.status, n.decided_at));
    INSERT INTO review_durations (action_id, tenant_id, created_at, tool, reviewer_group, seconds)
    SELECT n.id, n.tenant_id, n.created_at, n.tool, n.reviewer_group, extract(epoch FROM n.decided_at - n.created_at)::float8
    FROM became n
    WHERE action_reviewed(n.reviewer_group, n.decision, n.status, n.decided_at)
    ON CONFLICT (action_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at, tool = EXCLUDED.tool,
      reviewer_group = EXCLUDED.reviewer_group, seconds = EXCLUDED.seconds
    WHERE (review_durations.tenant_id, review_durations.created_at, review_durations.tool, review_durations.reviewer_group, review_durations.seconds)
      IS DISTINCT FROM (EXCLUDED.tenant_id, EXCLUDED.created_at, EXCLUDED.tool, EXCLUDED.reviewer_group, EXCLUDED.seconds);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION action_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO action_count_changes (tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch, n)
  SELECT tenant_id, action_count_hour(created_at), tool, reviewer_group, status, decision, mode,
    rule = 'overrides.incident', action_args_mismatch(result), -count(*)
  FROM was
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
  DELETE FROM review_durations d USING was w WHERE d.action_id = w.id;
  RETURN NULL;
END $$;

CREATE FUNCTION action_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE action_hour_counts, action_count_changes, review_durations;
  RETURN NULL;
END $$;

-- Nothing may change actions while the counts are taken and the triggers put in place.
LOCK TABLE actions IN SHARE MODE;

CREATE TRIGGER actions_counts_inserted AFTER INSERT ON actions
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION action_counts_inserted();
CREATE TRIGGER actions_counts_updated AFTER UPDATE ON actions
  REFERENCING OLD TABLE AS was NEW TABLE AS became FOR EACH STATEMENT EXECUTE FUNCTION action_counts_updated();
CREATE TRIGGER actions_counts_deleted AFTER DELETE ON actions
  REFERENCING OLD TABLE AS was FOR EACH STATEMENT EXECUTE FUNCTION action_counts_deleted();
CREATE TRIGGER actions_counts_truncated AFTER TRUNCATE ON actions FOR EACH STATEMENT EXECUTE FUNCTION action_counts_truncated();

INSERT INTO action_hour_counts (tenant_id, hour, tool, reviewer_group, status, decision, mode, incident, args_mismatch, n)
SELECT tenant_id, action_count_hour(created_at), tool, reviewer_group, status, decision, mode,
  rule = 'overrides.incident', action_args_mismatch(result), count(*)
FROM actions
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

INSERT INTO review_durations (action_id, tenant_id, created_at, tool, reviewer_group, seconds)
SELECT id, tenant_id, created_at, tool, reviewer_group, extract(epoch FROM decided_at - created_at)::float8
FROM actions
WHERE action_reviewed(reviewer_group, decision, status, decided_at);
