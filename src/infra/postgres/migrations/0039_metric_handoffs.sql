-- Counts for /metrics made by a process nobody scrapes: `airlock review
-- approve|deny` from a shell exits as soon as it answered, so its reviews
-- (and the time to decision of one that decided) would never be counted.
-- It leaves them here; a worker takes them over into its own counters on its
-- reconciler tick, deleting what it takes in the same statement, so each is
-- counted once whichever of several workers takes it. Names are raw: the
-- worker labels them by its live policy, as it does its own counts.
CREATE TABLE metric_handoffs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  tenant_id text,
  reviewer_group text,
  -- A review's outcome (approved, counted, denied, refused).
  outcome text,
  -- A decision's time from queueing, in seconds.
  seconds double precision,
  left_at timestamptz NOT NULL DEFAULT now()
);
