-- GET /v1/actions lists one agent's actions newest first, a page at a time,
-- resuming after the last (created_at, id) it returned. This index answers
-- every page by reading it in order from that position: no sort, and no row
-- of another agent or tenant is read, however many there are. The price is
-- one more index entry per row version an action writes.
CREATE INDEX actions_agent_created ON actions (tenant_id, agent, created_at DESC, id DESC);
