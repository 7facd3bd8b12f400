import type { TraceContext } from '../ports/tracer.js';

/** How much of a `tracestate` Airlock carries on: what the W3C Trace Context recommendation asks every vendor to propagate. */
export const MAX_TRACESTATE_CHARS = 512;
/** At most this many list members, the W3C limit. */
export const MAX_TRACESTATE_MEMBERS = 32;

// A list member's key: a simple key, or `tenant@system` (W3C Trace Context, the tracestate header's grammar).
const KEY = /^(?:[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13})$/;
// Its value: printable ASCII but `,` and `=`, at most 256 characters, not ending in a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
// Optional white space around a member.
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * An agent's `tracestate`, as Airlock stores and sends it on: its members
 * (empty ones left out) joined by commas, or nothing at all when the header
 * is longer than 512 characters, has more than 32 members, repeats a key or
 * breaks the grammar anywhere. A header Airlock cannot carry whole is dropped
 * whole, never cut or refused: the request is decided as if it had none.
 */
export function boundedTracestate(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length > MAX_TRACESTATE_CHARS) return undefined;
  const members = raw
    .split(',')
    .map((m) => m.replace(OWS, ''))
    .filter((m) => m !== '');
  if (members.length === 0 || members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    if (eq <= 0 || !KEY.test(key) || !VALUE.test(member.slice(eq + 1)) || keys.has(key)) return undefined;
    keys.add(key);
  }
  return members.join(',');
}

/**
 * The W3C trace context of an agent's request: `traceparent` as sent (the
 * tracer ignores a malformed one, and the tracestate with it), and its
 * `tracestate` bounded. None without a traceparent: a tracestate alone
 * belongs to no trace.
 */
export function traceContextOf(headers: Record<string, string | string[] | undefined>): TraceContext | undefined {
  const { traceparent, tracestate: raw } = headers;
  if (typeof traceparent !== 'string') return undefined;
  const tracestate = boundedTracestate(typeof raw === 'string' ? raw : undefined);
  return { traceparent, ...(tracestate ? { tracestate } : {}) };
}
