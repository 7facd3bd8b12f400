-- What a shadow policy (POLICY_SHADOW_FILE) would have decided for a live
-- request: {policy_version, decision, mode, rule}, beside the request's
-- recorded inputs, since nothing rewrites it (a review or an admin change
-- rewrites the action's own decision). NULL where no shadow was configured.
-- The live decision at intake is kept with it (`live`), so a shadow report
-- compares the two as they were at the same moment.
ALTER TABLE action_payloads ADD COLUMN shadow jsonb;
