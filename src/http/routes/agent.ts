import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { makeAuthenticateAgent } from '../../usecases/authenticate-agent.js';
import type { makeDescribeAgent } from '../../usecases/describe-agent.js';
import { agentProfileDocs } from '../route-docs.js';

export interface AgentRoutesDeps {
  authenticate: ReturnType<typeof makeAuthenticateAgent>;
  describeAgent: ReturnType<typeof makeDescribeAgent>;
}

/** GET /v1/agent: the calling agent's tools as the policy registers them. */
export const agentRoutes =
  (deps: AgentRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/v1/agent', { schema: agentProfileDocs }, async (req) => deps.describeAgent(await deps.authenticate(req.headers.authorization)));
  };
