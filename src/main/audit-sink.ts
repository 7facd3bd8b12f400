import { startAuditSinkLoop } from '../infra/audit-sink/audit-sink-loop.js';
import { createHttpAuditSink } from '../infra/audit-sink/http-audit-sink.js';
import { PgAuditFeed } from '../infra/postgres/audit-sink-feed.js';
import { makeShipAuditEvents } from '../usecases/ship-audit-events.js';
import type { Core } from './container.js';

/** Sent by the database whenever a tenant's chain head moves (migration 0034); the payload is the tenant. */
const SEALED_CHANNEL = 'airlock_audit_sealed';

/**
 * With AUDIT_SINK_URL, ships every sealed audit event to it (worker role).
 * Returns what stops it; in-flight batches are abandoned, to be sent again.
 */
export async function startAuditSink(core: Core): Promise<() => Promise<void>> {
  const { AUDIT_SINK_URL: url, AUDIT_SINK_SECRET: secret } = core.env;
  if (!url || !secret) return async () => undefined;
  const feed = new PgAuditFeed(core.pool);
  const sink = createHttpAuditSink(url);
  const sinkHost = new URL(url).host;
  const loop = startAuditSinkLoop({
    tenantsBehind: () => feed.tenantsBehind(),
    ship: makeShipAuditEvents({ feed, sink, secret, clock: core.clock }),
    log: core.log,
    sinkHost,
    maxBackoffMs: core.env.AIRLOCK_AUDIT_SINK_MAX_BACKOFF,
  });
  await core.notifications.listen(SEALED_CHANNEL, () => loop.wake());
  core.log.info({ sink: sinkHost }, 'audit sink: shipping sealed audit events');
  return async () => {
    const stopped = loop.stop();
    sink.close();
    await stopped;
  };
}
