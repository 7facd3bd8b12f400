-- How far each tenant's audit chain has been delivered to the audit sink
-- (AUDIT_SINK_URL). The events themselves stay where they are: the sink
-- reads them from the chain past this cursor, so a slow or absent sink never
-- holds anything in memory and never slows the writers.
--
-- The cursor moves only after the sink acknowledged a batch (2xx), so a crash
-- between sending and recording resends that batch: delivery is at least
-- once, and the receiver dedupes by (tenant, seq). One process ships a tenant
-- at a time, under a session advisory lock, so batches leave in chain order.
CREATE TABLE audit_sink_cursors (
  tenant_id text PRIMARY KEY,
  -- The last sequence number acknowledged (0: none yet) and the block holding
  -- it, where the next read starts (blocks are numbered 1, 2, … per tenant).
  seq bigint NOT NULL,
  block bigint NOT NULL,
  acknowledged_at timestamptz
);

-- Wakes the shippers (LISTEN airlock_audit_sealed) whenever a chain head moves,
-- whichever process sealed; the payload is the tenant. Notifications are sent
-- at commit, so a woken shipper finds the block.
CREATE FUNCTION airlock_audit_sealed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('airlock_audit_sealed', NEW.tenant_id);
  RETURN NULL;
END $$;
CREATE TRIGGER audit_chain_heads_sealed AFTER UPDATE ON audit_chain_heads
  FOR EACH ROW EXECUTE FUNCTION airlock_audit_sealed_notify();
