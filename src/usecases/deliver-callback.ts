import { createHmac } from 'node:crypto';
import { serializeAction } from '../domain/action-view.js';
import { AirlockError } from '../domain/errors.js';
import { RateLimited } from '../domain/rate-limited.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { ApprovalMetrics } from '../ports/approval-metrics.js';
import type { CallbackSender } from '../ports/callback-sender.js';
import type { Clock } from '../ports/clock.js';
import { noTracing, type Tracer } from '../ports/tracer.js';
import { makeCallbackLanes, type CallbackLaneCaps } from './callback-lanes.js';
import { SPAN, actionAttributes, traceOf } from './span-attributes.js';

/** `Airlock-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` with the agent's callback secret. */
export function signCallback(secret: string, body: string | Buffer, unixSeconds: number): string {
  // In two parts: a large body (an audit sink batch) is hashed where it is, never copied into a second string.
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * POSTs the action as it stands to its callback_url, signed. Throws on
 * failure so the queue retries with backoff; returns false when there is
 * nothing to deliver. A delivery whose agent or tenant already uses its
 * share of the slots (`lanes`) is put back for later without spending an
 * attempt: one slow receiver never holds the callbacks of others.
 */
export function makeDeliverCallback(deps: {
  actions: ActionStore;
  agents: AgentStore;
  sender: CallbackSender;
  clock: Clock;
  lanes: CallbackLaneCaps;
  metrics?: ApprovalMetrics;
  /** Each delivery attempt is a span under the action's intake span; the request carries its traceparent (and the agent's tracestate) on to the agent. */
  tracer?: Tracer;
}) {
  const tracer = deps.tracer ?? noTracing;
  const lanes = makeCallbackLanes(deps.lanes, () => deps.clock.now().getTime());
  return async function deliverCallback(tenant: string, actionId: string): Promise<{ url: string; status: number } | undefined> {
    const action = await deps.actions.get(tenant, actionId);
    if (!action?.callbackUrl) return undefined;
    const url = action.callbackUrl;
    // The host only: a callback URL's path or query may hold the agent's own token.
    const attributes = { ...actionAttributes(action), 'airlock.action.status': action.status, 'http.request.method': 'POST', 'server.address': new URL(url).hostname };
    const lane = lanes.enter(tenant, action.agent);
    if ('retryAfterMs' in lane) throw new RateLimited(lane.retryAfterMs, `the callback of ${tenant}/${action.agent} (its share of delivery slots is in use)`);
    return tracer.span(SPAN.callback, { kind: 'client', parent: traceOf(action), attributes }, async (span) => {
      try {
        const secret = await deps.agents.callbackSecret(tenant, action.agent);
        if (!secret) throw new AirlockError('delivery_failed', `agent ${action.agent} has no callback secret`, { retry: false });
        const body = JSON.stringify(serializeAction(action));
        const signature = signCallback(secret, body, Math.floor(deps.clock.now().getTime() / 1000));
        const { status } = await deps.sender.send(url, body, {
          'content-type': 'application/json',
          'airlock-signature': signature,
          'user-agent': 'Airlock-Callback/1',
          ...span.context(),
        });
        span.set({ 'http.response.status_code': status });
        if (status < 200 || status >= 300) throw new AirlockError('delivery_failed', `callback answered ${status}`, { retry: true });
        deps.metrics?.callback('delivered');
        return { url, status };
      } catch (err) {
        deps.metrics?.callback('attempt_failed');
        throw err;
      } finally {
        lane.release();
      }
    });
  };
}
