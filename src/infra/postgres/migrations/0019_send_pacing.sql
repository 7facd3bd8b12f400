-- Chat send pacing without Redis (send-pacer.ts): each key (a Slack channel,
-- a Slack method, a Teams conversation) has its next theoretical send time,
-- and sends told to wait hold the slot they were given until they come back
-- for it. Times are this server's clock, in ms since the epoch, so every
-- Airlock process agrees on them.
--
-- One row per key, updated in place: only a non-indexed column changes, so
-- the updates are HOT and page pruning reclaims the old versions without
-- VACUUM (autovacuum may be off); the low fillfactor leaves room for them.
CREATE TABLE send_pacing (
  key text PRIMARY KEY,
  next_at_ms bigint NOT NULL
) WITH (fillfactor = 50);

-- A row per slot handed out for later: inserted when a send is told to wait,
-- deleted when it comes back (or a minute after its time). Only sends over
-- a platform's limit make rows here, one each.
CREATE TABLE send_pacing_holds (
  key text NOT NULL,
  holder text NOT NULL,
  slot_ms bigint NOT NULL,
  PRIMARY KEY (key, holder)
);
CREATE INDEX send_pacing_holds_lapse ON send_pacing_holds (key, slot_ms);

-- GCRA with held slots, atomic per key (the key's row is locked for the
-- call). Returns the wait in ms: 0 means send now.
CREATE FUNCTION airlock_pace_reserve(p_key text, p_holder text, p_interval_ms bigint, p_burst int, p_early_ms bigint, p_keep_ms bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  tat bigint;
  held bigint;
  slot bigint;
BEGIN
  -- Every send of a key queues on its row lock until the previous one has
  -- committed; without waiting for the WAL flush, a burst of 400 sends is not
  -- 400 flushes in a row. A crash can forget the last few hundred ms of slots,
  -- which only hands them out again: at worst a few 429s, which still delay
  -- the cards they hit.
  PERFORM set_config('synchronous_commit', 'off', true);
  SELECT next_at_ms INTO tat FROM send_pacing WHERE key = p_key FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO send_pacing (key, next_at_ms) VALUES (p_key, 0) ON CONFLICT (key) DO NOTHING;
    SELECT next_at_ms INTO tat FROM send_pacing WHERE key = p_key FOR UPDATE;
  END IF;
  -- The holder's slot has come: it is used now (a slot that lapsed long ago counts as none).
  DELETE FROM send_pacing_holds WHERE key = p_key AND holder = p_holder AND slot_ms <= now_ms + p_early_ms RETURNING slot_ms INTO held;
  IF FOUND AND held >= now_ms - p_keep_ms THEN
    RETURN 0;
  END IF;
  -- Still to come: the same slot, not a new one at the back.
  SELECT slot_ms INTO held FROM send_pacing_holds WHERE key = p_key AND holder = p_holder;
  IF FOUND THEN
    RETURN held - now_ms;
  END IF;
  tat := GREATEST(tat, now_ms);
  slot := tat - (p_burst - 1) * p_interval_ms;
  UPDATE send_pacing SET next_at_ms = tat + p_interval_ms WHERE key = p_key;
  IF slot <= now_ms THEN
    RETURN 0;
  END IF;
  DELETE FROM send_pacing_holds WHERE key = p_key AND slot_ms < now_ms - p_keep_ms;
  INSERT INTO send_pacing_holds (key, holder, slot_ms) VALUES (p_key, p_holder, slot);
  RETURN slot - now_ms;
END $$;

-- The platform said wait: no slot before p_ms from now, and the bucket empty then.
CREATE FUNCTION airlock_pace_hold_off(p_key text, p_ms bigint, p_interval_ms bigint, p_burst int)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO send_pacing AS p (key, next_at_ms)
  VALUES (p_key, floor(extract(epoch FROM clock_timestamp()) * 1000) + p_ms + (p_burst - 1) * p_interval_ms)
  ON CONFLICT (key) DO UPDATE SET next_at_ms = GREATEST(p.next_at_ms, EXCLUDED.next_at_ms)
$$;
