-- The W3C traceparent of an action's intake span, when tracing is on: the
-- card posts, reviews and callback that follow it, possibly in another
-- process and long after, continue its trace. Written once with the request,
-- so it lives beside the request's other immutable parts, never in the row an
-- admin change rewrites. NULL when tracing was off.
ALTER TABLE action_payloads ADD COLUMN traceparent text;
