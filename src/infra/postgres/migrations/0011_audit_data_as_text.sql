-- Audit event data is stored as the exact JSON text the chain hashes (json,
-- not jsonb).
--
-- The event hash covers the rendered text of `data`. As jsonb, every
-- `audit verify` and `audit export` had Postgres re-render each event from its
-- binary form, about two thirds of the database's work for a 1 KB event
-- (verify then ran at about 50k events/s). json keeps the text as written, so
-- reading it is a copy, and the bytes hashed are the bytes stored: verify and
-- export send them on unchanged. Events are never queried by their content on
-- a hot path, so jsonb's operators and indexes are not missed; `data::jsonb`
-- still gives them.
--
-- Existing rows keep their hashes: they are converted to the text jsonb
-- rendered them as, which is what the hash covered. (This rewrites the table
-- under an exclusive lock; on a large trail expect the migration to take a
-- while, before the process starts serving.)
ALTER TABLE audit_events ALTER COLUMN data TYPE json USING data::text::json;

-- The same hash as before, written out over the stored text rather than
-- through jsonb_build_array (which would re-render, and so canonicalise, json
-- written compactly). Element by element it produces the text
-- jsonb_build_array(id, tenant_id, kind, action_id, <at>, data)::text
-- produced: `[a, b, …]`, strings escaped the same way. audit-hashes.ts
-- computes the same outside the database.
CREATE OR REPLACE FUNCTION airlock_audit_event_hash(e audit_events) RETURNS bytea LANGUAGE sql STABLE AS $$
  SELECT sha256(convert_to(
    '[' || e.id::text
    || ', ' || to_json(e.tenant_id)::text
    || ', ' || to_json(e.kind)::text
    || ', ' || COALESCE(to_json(e.action_id)::text, 'null')
    || ', ' || COALESCE(to_json(to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text, 'null')
    || ', ' || e.data::text || ']',
    'UTF8'))
$$;
