import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AgentIdentity } from '../../ports/agent-store.js';
import type { makeAuthenticateAgent } from '../../usecases/authenticate-agent.js';
import type { makeGetAction } from '../../usecases/get-action.js';
import type { makeReportResult } from '../../usecases/report-result.js';
import type { makeSubmitAction } from '../../usecases/submit-action.js';
import type { Metrics } from '../metrics.js';
import { actionIdParams, getActionQuery, idempotencyHeaders, reportResultBody, submitActionBody } from '../schemas.js';
import { getActionDocs, reportResultDocs, submitActionDocs } from '../route-docs.js';
import { serializeAction } from '../../domain/action-view.js';

export interface ActionRoutesDeps {
  authenticate: ReturnType<typeof makeAuthenticateAgent>;
  submitAction: ReturnType<typeof makeSubmitAction>;
  getAction: ReturnType<typeof makeGetAction>;
  reportResult: ReturnType<typeof makeReportResult>;
  metrics: Metrics;
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
    // Authentication runs before body validation, so an unauthenticated caller learns nothing about the schema.
    app.addHook('onRequest', async (req) => {
      req.agent = await deps.authenticate(req.headers.authorization);
    });

    app.post('/v1/actions', { schema: { ...submitActionDocs, body: submitActionBody, headers: idempotencyHeaders } }, async (req, reply) => {
      const end = deps.metrics.intakeLatency.startTimer();
      const { action, replayed } = await deps.submitAction(req.agent, req.body, req.headers['idempotency-key']);
      if (!replayed) {
        end({ decision: action.decision });
        deps.metrics.decisions.inc({ decision: action.decision });
      }
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(serializeAction(action));
    });

    app.get('/v1/actions/:id', { schema: { ...getActionDocs, params: actionIdParams, querystring: getActionQuery } }, async (req) => {
      const ac = new AbortController();
      req.raw.once('close', () => ac.abort());
      const signal = deps.shuttingDown ? AbortSignal.any([ac.signal, deps.shuttingDown]) : ac.signal;
      const action = await deps.getAction(req.agent, req.params.id, req.query.wait ?? 0, signal);
      return serializeAction(action);
    });

    app.post('/v1/actions/:id/result', { schema: { ...reportResultDocs, params: actionIdParams, body: reportResultBody } }, async (req) => {
      const action = await deps.reportResult(req.agent, req.params.id, req.body);
      return serializeAction(action);
    });
  };
