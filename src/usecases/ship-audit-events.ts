import { AirlockError } from '../domain/errors.js';
import type { AuditFeed, AuditFeedBatch, AuditSink } from '../ports/audit-sink.js';
import type { Clock } from '../ports/clock.js';
import { signCallback } from './deliver-callback.js';

/** A batch holds at most this many events… */
export const SINK_BATCH_EVENTS = 500;
/** …and at most this many bytes of body (one event larger than that still goes, alone). */
export const SINK_BATCH_BYTES = 1024 * 1024;
/** Room for the envelope around the events. */
const ENVELOPE_BYTES = 256;
/** Batches one turn ships before the tenant's lease is given up, so one long backlog does not keep the others waiting. */
const BATCHES_PER_TURN = 20;

/**
 * `{"tenant", "first_seq", "last_seq", "events": [...]}`, one event per line:
 * the range is in the signed body, not in a header.
 */
export function sinkBatchBody(batch: AuditFeedBatch): Buffer {
  const head = `{"tenant":${JSON.stringify(batch.tenant)},"first_seq":${batch.firstSeq},"last_seq":${batch.lastSeq},"events":[\n`;
  return Buffer.concat([Buffer.from(head), batch.events, Buffer.from(']}\n')]);
}

export interface ShipTurn {
  /** Events the sink acknowledged in this turn. */
  shipped: number;
  /** True when the turn stopped before running out of events (the tenant is due again at once). */
  more: boolean;
}

/**
 * Ships one tenant's sealed audit events to the sink, in chain order, as
 * signed batches (`Airlock-Signature` exactly as callbacks carry it, keyed by
 * AUDIT_SINK_SECRET). The cursor moves only once the sink answered 2xx, so a
 * crash or a failed answer sends the batch again: at least once, deduped by
 * the receiver on (tenant, seq). A tenant another process is shipping is
 * skipped. Throws `delivery_failed` when the sink does not take a batch.
 */
export function makeShipAuditEvents(deps: { feed: AuditFeed; sink: AuditSink; secret: string; clock: Clock }) {
  return async function shipAuditEvents(tenant: string): Promise<ShipTurn> {
    const lease = await deps.feed.claim(tenant);
    if (!lease) return { shipped: 0, more: false };
    let shipped = 0;
    const read = () => lease.next(SINK_BATCH_EVENTS, SINK_BATCH_BYTES - ENVELOPE_BYTES);
    let upcoming: Promise<AuditFeedBatch | undefined> | undefined;
    let acknowledged: Promise<void> | undefined;
    try {
      let batch = await read();
      let more = false;
      for (let i = 0; batch; i++) {
        const body = sinkBatchBody(batch);
        const sent = deps.sink.deliver(body, {
          'content-type': 'application/json',
          'airlock-signature': signCallback(deps.secret, body, Math.floor(deps.clock.now().getTime() / 1000)),
          'user-agent': 'Airlock-Audit-Sink/1',
        });
        // The next batch is read while this one is on its way; it is dropped if this one fails
        // (handled from the start, so its failure meanwhile is not an unhandled rejection).
        upcoming = i + 1 < BATCHES_PER_TURN ? read() : undefined;
        upcoming?.catch(() => undefined);
        const { status } = await sent;
        if (status < 200 || status >= 300) throw new AirlockError('delivery_failed', `the audit sink answered ${status}`, { retry: true, context: { status } });
        // The cursor moves while the next batch goes out. Moves happen in order (one
        // connection), each after the one before succeeded; a batch sent before the
        // move of its predecessor was recorded is at worst sent again.
        await acknowledged;
        acknowledged = lease.acknowledge(batch);
        acknowledged.catch(() => undefined);
        shipped += batch.count;
        if (!upcoming) {
          more = true;
          break;
        }
        batch = await upcoming;
        upcoming = undefined;
      }
      await acknowledged;
      return { shipped, more };
    } finally {
      // The lease's connection is released once an abandoned read or cursor move is over.
      await upcoming?.catch(() => undefined);
      await acknowledged?.catch(() => undefined);
      await lease.release();
    }
  };
}
