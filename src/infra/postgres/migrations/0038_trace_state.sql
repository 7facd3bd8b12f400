-- The W3C tracestate that travels with an action's traceparent (migration
-- 0035): the vendors' entries an agent sent with its trace, carried on to
-- the work that follows in other processes and to the agent's callback.
-- Bounded before it is written (512 characters, 32 members, or dropped
-- whole). NULL when tracing was off or the agent sent none.
ALTER TABLE action_payloads ADD COLUMN tracestate text;
