-- Anchoring the audit chain outside the database.
--
-- Until now every hash of the chain could be recomputed by anyone who can
-- write to this database: a superuser could rewrite an event, recompute every
-- block with the database's own hash functions, and `audit verify` passed.
-- Each block now carries a MAC (HMAC-SHA256) under a key derived from
-- AIRLOCK_SECRET, which only Airlock processes hold; it is never stored here.
-- Truncating the tail stays invisible to the database alone; `audit
-- checkpoint` prints a MAC'd head to keep elsewhere, and `audit verify
-- --checkpoint` checks the chain still reaches it.
--
-- Upgrading: blocks sealed before this migration carry no MAC, and nothing in
-- SQL can compute one. They are dropped and the chain heads reset, so the
-- events (all of which stay) are sealed again, in the same (xid, id) order and
-- so with the same sequence numbers, by the next Airlock process to run. Run
-- `airlock audit verify` for every tenant before upgrading if the old chain
-- must be checked. A process of the previous version still running fails to
-- seal (its blocks have no MAC) and leaves the events to the new ones.
TRUNCATE audit_blocks;
DELETE FROM audit_chain_heads;
-- The block's watermark: the (xid, id) of its last event. A block holds
-- exactly the tenant's events between the previous block's watermark and its
-- own, so `audit verify` reads events by that range (one index range scan, in
-- order) instead of looking each listed event up, and sees at once an event
-- that sits in the range but is listed nowhere. The MAC covers it.
ALTER TABLE audit_blocks
  ADD COLUMN last_xid xid8 NOT NULL,
  ADD COLUMN last_id bigint NOT NULL,
  ADD COLUMN mac text NOT NULL;

-- TRUNCATE fires no row trigger: without these the table owner could empty
-- the trail with one statement despite the append-only triggers.
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION airlock_audit_guard();
CREATE TRIGGER audit_blocks_no_truncate BEFORE TRUNCATE ON audit_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION airlock_audit_guard();
