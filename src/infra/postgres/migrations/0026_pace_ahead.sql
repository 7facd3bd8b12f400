-- A slot reserved ahead (a card's, when its approval round starts) is held
-- even when it is due now: the card's job asks again when it runs, and that
-- ask must use the slot, not take a second one. Same function as 0019 with
-- p_ahead; the six-argument form stays for processes of the previous version.
CREATE FUNCTION airlock_pace_reserve(p_key text, p_holder text, p_interval_ms bigint, p_burst int, p_early_ms bigint, p_keep_ms bigint, p_ahead boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  tat bigint;
  held bigint;
  slot bigint;
BEGIN
  -- See 0019: a lost slot only hands it out again.
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
  IF slot <= now_ms AND NOT p_ahead THEN
    RETURN 0;
  END IF;
  slot := GREATEST(slot, now_ms);
  DELETE FROM send_pacing_holds WHERE key = p_key AND slot_ms < now_ms - p_keep_ms;
  INSERT INTO send_pacing_holds (key, holder, slot_ms) VALUES (p_key, p_holder, slot);
  RETURN slot - now_ms;
END $$;

CREATE OR REPLACE FUNCTION airlock_pace_reserve(p_key text, p_holder text, p_interval_ms bigint, p_burst int, p_early_ms bigint, p_keep_ms bigint)
RETURNS bigint LANGUAGE sql AS $$
  SELECT airlock_pace_reserve(p_key, p_holder, p_interval_ms, p_burst, p_early_ms, p_keep_ms, false)
$$;
