import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AirlockError } from '../../domain/errors.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import type { makeAuthenticateAgent } from '../../usecases/authenticate-agent.js';
import type { makeDescribeAgent } from '../../usecases/describe-agent.js';
import { agentProfileDocs } from '../route-docs.js';

export interface AgentRoutesDeps {
  authenticate: ReturnType<typeof makeAuthenticateAgent>;
  describeAgent: ReturnType<typeof makeDescribeAgent>;
  /** The same per-agent limit as the action routes: one budget for everything an agent asks. */
  rateLimiter: RateLimiter;
}

/** GET /v1/agent: the calling agent's tools as the policy registers them. */
export const agentRoutes =
  (deps: AgentRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/v1/agent', { schema: agentProfileDocs }, async (req) => {
      const agent = await deps.authenticate(req.headers.authorization);
      const verdict = await deps.rateLimiter.hit(`${agent.tenant}/${agent.name}`);
      if (verdict.limited) {
        throw new AirlockError('rate_limited', 'this agent is over its request rate limit (AIRLOCK_RATE_LIMIT_PER_AGENT); retry after the Retry-After seconds', {
          context: { retryAfterSeconds: verdict.retryAfterSeconds },
        });
      }
      return deps.describeAgent(agent);
    });
  };
