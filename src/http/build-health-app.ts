import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { healthRoutes, type HealthDeps } from './routes/health.js';

/**
 * What a process without the agent API serves (the worker role): /healthz,
 * /readyz and /metrics, so its probes work and the counters only it moves
 * (card posts, callbacks, expiries) can be scraped.
 */
export async function buildHealthApp(deps: HealthDeps & { logger: Logger }): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]} on a worker (the agent API runs with AIRLOCK_ROLE=api or all)`, details: [] } }),
  );
  await app.register(healthRoutes(deps));
  return app;
}
