-- A decided action's callback is settled once it was delivered or given up.
-- The reconciler re-enqueues callbacks that stay unsettled long after their
-- decision (their job was lost: a flushed Redis, deleted job rows), for a
-- day after the decision; the partial index holds only unsettled ones, so the
-- search stays small. Existing rows count as settled when an audit event says
-- so, when they were not queued (no callback is sent then), or when older than a day.
ALTER TABLE actions ADD COLUMN callback_settled_at timestamptz;

UPDATE actions a SET callback_settled_at = COALESCE(
    (SELECT min(e.at) FROM audit_events e
      WHERE e.tenant_id = a.tenant_id AND e.action_id = a.id AND e.kind IN ('callback_delivered', 'callback_failed')),
    a.decided_at)
 WHERE a.callback_url IS NOT NULL AND a.decided_at IS NOT NULL
   AND (a.reviewer_group IS NULL
        OR a.decided_at < now() - interval '1 day'
        OR EXISTS (SELECT 1 FROM audit_events e
                    WHERE e.tenant_id = a.tenant_id AND e.action_id = a.id AND e.kind IN ('callback_delivered', 'callback_failed')));

CREATE INDEX actions_callback_unsettled ON actions (decided_at)
  WHERE callback_url IS NOT NULL AND reviewer_group IS NOT NULL AND decided_at IS NOT NULL AND callback_settled_at IS NULL;
