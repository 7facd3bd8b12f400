-- Signed chat requests already accepted (Slack: a digest of the request's
-- signature), so a captured request replayed within its signature window is
-- refused, by every process and after a restart.
--
-- Expiry without DELETE or VACUUM (autovacuum may be off): rows go into one
-- of four partitions by `slot` = floor(signed_at / 300 s) mod 4. A request is
-- accepted only within 300 s of now, so at any time at most three
-- consecutive slots can still receive rows, and the fourth holds only expired
-- ones: it is emptied with TRUNCATE (see seen-requests.ts), which gives its
-- space back at once. The digest covers the signed timestamp, so a row left
-- over in a slot can never match a newer request.
CREATE TABLE seen_requests (
  slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 3),
  digest bytea NOT NULL,
  signed_at timestamptz NOT NULL,
  PRIMARY KEY (slot, digest)
) PARTITION BY LIST (slot);

CREATE TABLE seen_requests_0 PARTITION OF seen_requests FOR VALUES IN (0);
CREATE TABLE seen_requests_1 PARTITION OF seen_requests FOR VALUES IN (1);
CREATE TABLE seen_requests_2 PARTITION OF seen_requests FOR VALUES IN (2);
CREATE TABLE seen_requests_3 PARTITION OF seen_requests FOR VALUES IN (3);
