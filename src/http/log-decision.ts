import type { FastifyBaseLogger } from 'fastify';
import type { Action } from '../domain/action.js';
import { actionLogFields } from '../domain/log-fields.js';

/**
 * The intake's one line per request (Fastify's own request lines are off):
 * `decision` for a new decision, `decision replayed` for an Idempotency-Key
 * replay, so counting `msg == "decision"` counts decisions. `latency_ms` is
 * the time since the request arrived, the durable write included.
 */
export function logDecision(log: FastifyBaseLogger, action: Action, replayed: boolean, elapsedMs: number) {
  log.info(
    {
      ...actionLogFields(action),
      decision: action.decision,
      mode: action.mode,
      ...(action.reviewerGroup ? { reviewer_group: action.reviewerGroup } : {}),
      latency_ms: Math.round(elapsedMs * 10) / 10,
    },
    replayed ? 'decision replayed' : 'decision',
  );
}
