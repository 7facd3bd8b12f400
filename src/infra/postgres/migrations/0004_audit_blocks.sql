-- Sealing in blocks. Events are written once and never updated: the sealer
-- appends one audit_blocks row per batch, listing the batch's events in chain
-- order with each event's content hash, chained to the previous block's hash.
-- (Sealing used to UPDATE every event row with seq/prev_hash/hash: a second
-- write of each event, which cost intake about a quarter of its throughput.)
--
-- Which events are sealed is a watermark, not a per-row flag: events are
-- chained in (xid, id) order, and only events whose writing transaction is
-- older than every transaction still running (the snapshot's xmin) are
-- sealed, so an event that commits late can never fall behind the watermark.
--
-- Upgrading: the chain built by 0001 is replaced, and events already written
-- are sealed again, in their old order, into blocks. Run `airlock audit verify`
-- for every tenant before upgrading if the old chain must be checked.

DROP TRIGGER audit_events_append_only ON audit_events;
DROP INDEX IF EXISTS audit_unsealed;
ALTER TABLE audit_events DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
-- Existing rows all get this migration's transaction id; their ids keep their order.
ALTER TABLE audit_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_sealing ON audit_events (tenant_id, xid, id);

DROP TABLE audit_chain_heads;
CREATE TABLE audit_chain_heads (
  tenant_id text PRIMARY KEY,
  -- The last block (0: none yet), the number of events sealed, and the last block's hash (genesis when none).
  block bigint NOT NULL,
  seq bigint NOT NULL,
  hash text NOT NULL,
  -- The watermark: (xid, id) of the last event sealed.
  sealed_xid xid8 NOT NULL,
  sealed_id bigint NOT NULL
);

CREATE TABLE audit_blocks (
  tenant_id text NOT NULL,
  block bigint NOT NULL,
  -- Events are numbered 1, 2, … across blocks: this block holds first_seq .. first_seq + n - 1.
  first_seq bigint NOT NULL,
  event_ids bigint[] NOT NULL,
  event_hashes bytea[] NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, block)
);

-- The hash of one event covers every content column. Sealing and `audit verify`
-- both call these, so the two cannot disagree on the encoding.
CREATE FUNCTION airlock_audit_event_hash(e audit_events) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT sha256(convert_to(jsonb_build_array(
    e.id, e.tenant_id, e.kind, e.action_id, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.data
  )::text, 'UTF8'))
$$;

CREATE FUNCTION airlock_audit_block_hash(tenant text, block bigint, first_seq bigint, prev_hash text, event_hashes bytea[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    concat_ws(':', tenant, block::text, first_seq::text, prev_hash,
      array_to_string(ARRAY(SELECT encode(h, 'hex') FROM unnest(event_hashes) WITH ORDINALITY AS u(h, i) ORDER BY i), ',')),
    'UTF8')), 'hex')
$$;

-- Append-only, events and blocks alike. (A superuser can still bypass triggers;
-- the chain is what detects that.)
CREATE OR REPLACE FUNCTION airlock_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION airlock_audit_guard();
CREATE TRIGGER audit_blocks_append_only BEFORE UPDATE OR DELETE ON audit_blocks
  FOR EACH ROW EXECUTE FUNCTION airlock_audit_guard();
