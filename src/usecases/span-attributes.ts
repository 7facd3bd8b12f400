import type { Action } from '../domain/action.js';
import type { SpanAttributes, TraceContext } from '../ports/tracer.js';

/**
 * Span names and the attributes every span of an action carries. Only
 * identifiers and names the policy declares: never an argument value, the
 * summary, the context, the consequence, a reason, a requester's or a
 * reviewer's identity (a trace backend is rarely as guarded as the audit
 * trail). `gen_ai.*` are the OpenTelemetry GenAI semantic conventions' names
 * for the tool and the agent; `gen_ai.tool.call.arguments` is deliberately
 * never set.
 */
export const SPAN = {
  intake: 'airlock.intake',
  review: 'airlock.review',
  cardPost: 'airlock.card.post',
  cardUpdate: 'airlock.card.update',
  reminder: 'airlock.reminder',
  /** A deadline (or a card no platform could take) ended a pending approval. */
  timeout: 'airlock.timeout',
  /** A deadline moved a pending approval on to its `escalate_to` group. */
  escalation: 'airlock.escalation',
  callback: 'airlock.callback',
} as const;

/** The trace context stored with an action, which every later span of it continues (none when tracing was off at intake). */
export const traceOf = (a: Pick<Action, 'traceparent' | 'tracestate'>): TraceContext | undefined =>
  a.traceparent ? { traceparent: a.traceparent, ...(a.tracestate ? { tracestate: a.tracestate } : {}) } : undefined;

export const actionAttributes = (a: Pick<Action, 'id' | 'tenant' | 'agent' | 'tool'>): SpanAttributes => ({
  'airlock.action.id': a.id,
  'airlock.tenant': a.tenant,
  'gen_ai.agent.name': a.agent,
  'gen_ai.tool.name': a.tool,
});

/** The decision as it stands: at intake, and again once a review or a delivery has changed it. */
export const decisionAttributes = (a: Pick<Action, 'status' | 'decision' | 'mode' | 'rule' | 'policyVersion'>): SpanAttributes => ({
  'airlock.action.status': a.status,
  'airlock.decision': a.decision,
  'airlock.mode': a.mode,
  'airlock.rule': a.rule,
  'airlock.policy_version': a.policyVersion,
});
