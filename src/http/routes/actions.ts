import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AirlockError } from '../../domain/errors.js';
import type { AgentIdentity } from '../../ports/agent-store.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import type { makeAuthenticateAgent } from '../../usecases/authenticate-agent.js';
import type { makeGetAction } from '../../usecases/get-action.js';
import type { makeListActions } from '../../usecases/list-actions.js';
import type { makeReportResult } from '../../usecases/report-result.js';
import type { makeSubmitAction } from '../../usecases/submit-action.js';
import type { Metrics } from '../metrics.js';
import { actionIdParams, getActionQuery, idempotencyHeaders, listActionsQuery, reportResultBody, submitActionBody } from '../schemas.js';
import { getActionDocs, listActionsDocs, reportResultDocs, submitActionDocs } from '../route-docs.js';
import { serializeAction } from '../../domain/action-view.js';
import { WaitSlots } from '../wait-slots.js';
import { logDecision } from '../log-decision.js';
import { traceContextOf } from '../trace-context-headers.js';

export interface ActionRoutesDeps {
  authenticate: ReturnType<typeof makeAuthenticateAgent>;
  submitAction: ReturnType<typeof makeSubmitAction>;
  getAction: ReturnType<typeof makeGetAction>;
  listActions: ReturnType<typeof makeListActions>;
  reportResult: ReturnType<typeof makeReportResult>;
  metrics: Metrics;
  /** Requests per agent, across processes (AIRLOCK_RATE_LIMIT_PER_AGENT). */
  rateLimiter: RateLimiter;
  /** Concurrent `?wait` requests per agent in this process (AIRLOCK_MAX_WAITS_PER_AGENT). */
  maxWaitsPerAgent: number;
  /** Aborted when the server shuts down: waiting reads answer at once with the action as it stands. */
  shuttingDown?: AbortSignal;
}

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentIdentity;
  }
}

export const actionRoutes =
  (deps: ActionRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.decorateRequest('agent', undefined as unknown as AgentIdentity);
    const waits = new WaitSlots(deps.maxWaitsPerAgent, (n) => deps.metrics.waiting.set(n));
    const agentKey = (agent: AgentIdentity) => `${agent.tenant}/${agent.name}`;
    // Authentication and the rate limit run before the body is read or
    // validated: an unauthenticated caller learns nothing about the schema,
    // and a limited agent costs no parsing.
    app.addHook('onRequest', async (req) => {
      req.agent = await deps.authenticate(req.headers.authorization);
      const verdict = await deps.rateLimiter.hit(agentKey(req.agent));
      if (verdict.limited) {
        deps.metrics.limited.inc({ limit: 'rate' });
        throw new AirlockError('rate_limited', 'this agent is over its request rate limit (AIRLOCK_RATE_LIMIT_PER_AGENT); retry after the Retry-After seconds', {
          context: { retryAfterSeconds: verdict.retryAfterSeconds },
        });
      }
    });

    app.post('/v1/actions', { schema: { ...submitActionDocs, body: submitActionBody, headers: idempotencyHeaders } }, async (req, reply) => {
      const end = deps.metrics.intakeLatency.startTimer();
      // An agent's W3C trace context continues into the decision; a malformed traceparent starts a trace of
      // Airlock's own and a tracestate it cannot carry whole is dropped: never a refusal.
      const { action, replayed } = await deps.submitAction(req.agent, req.body, req.headers['idempotency-key'], traceContextOf(req.headers));
      if (!replayed) {
        end({ decision: action.decision });
        deps.metrics.decision(action);
      }
      logDecision(req.log, action, replayed, reply.elapsedTime);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(serializeAction(action));
    });

    app.get('/v1/actions', { schema: { ...listActionsDocs, querystring: listActionsQuery } }, async (req) => {
      const { status, tool, since, until, limit, cursor } = req.query;
      const at = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));
      const page = await deps.listActions(req.agent, { status, tool, since: at(since), until: at(until) }, { limit, cursor });
      return { actions: page.actions.map(serializeAction), next_cursor: page.nextCursor };
    });

    app.get('/v1/actions/:id', { schema: { ...getActionDocs, params: actionIdParams, querystring: getActionQuery } }, async (req) => {
      const wait = req.query.wait ?? 0;
      let release: (() => void) | undefined;
      if (wait > 0) {
        try {
          release = waits.take(agentKey(req.agent));
        } catch (err) {
          deps.metrics.limited.inc({ limit: 'waits' });
          throw err;
        }
      }
      try {
        const ac = new AbortController();
        req.raw.once('close', () => ac.abort());
        const signal = deps.shuttingDown ? AbortSignal.any([ac.signal, deps.shuttingDown]) : ac.signal;
        const action = await deps.getAction(req.agent, req.params.id, wait, signal);
        return serializeAction(action);
      } finally {
        release?.();
      }
    });

    app.post('/v1/actions/:id/result', { schema: { ...reportResultDocs, params: actionIdParams, body: reportResultBody } }, async (req) => {
      const action = await deps.reportResult(req.agent, req.params.id, req.body);
      return serializeAction(action);
    });
  };
