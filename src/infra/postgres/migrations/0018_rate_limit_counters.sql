-- Per-agent request counts of the current rate-limit window, merged by every
-- API process a few times a second when there is no Redis (rate-limiter.ts).
-- One row per key, updated in place: only non-indexed columns change, so the
-- updates are HOT and page pruning reclaims the old versions without VACUUM;
-- the low fillfactor leaves room on each page for them.
CREATE TABLE rate_limit_counters (
  key text PRIMARY KEY,
  -- Start of the window, in milliseconds since the epoch.
  window_start bigint NOT NULL,
  hits bigint NOT NULL
) WITH (fillfactor = 50);
