-- The reconciler asks for due reminders every second. Without this index it
-- read every pending action to find them; with it, only actions whose reminder
-- is still to be sent (rows leave the index once reminded or decided).
CREATE INDEX actions_reminder_due ON actions (remind_at)
  WHERE status = 'pending' AND remind_at IS NOT NULL AND (reminded_round IS NULL OR reminded_round < round);
