-- Bot Framework activities already accepted (a digest of the conversation and
-- activity id), so a captured activity replayed with its still-valid channel
-- token (about an hour) is refused, by every process and after a restart.
--
-- Expiry without DELETE or VACUUM (autovacuum may be off), as seen_requests:
-- rows go into one of four partitions by `slot` = floor(expires_at / 1 h)
-- mod 4. A row is written only while its token is valid, with an expiry at
-- most 2 h ahead, so the rows still needed fall in the current hour and the
-- next two; the fourth slot holds only expired ones (the hour just past) and
-- is emptied with TRUNCATE (see seen-activities.ts).
CREATE TABLE seen_activities (
  slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 3),
  key bytea NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (slot, key)
) PARTITION BY LIST (slot);

CREATE TABLE seen_activities_0 PARTITION OF seen_activities FOR VALUES IN (0);
CREATE TABLE seen_activities_1 PARTITION OF seen_activities FOR VALUES IN (1);
CREATE TABLE seen_activities_2 PARTITION OF seen_activities FOR VALUES IN (2);
CREATE TABLE seen_activities_3 PARTITION OF seen_activities FOR VALUES IN (3);
