import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { makeErrorHandler } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { actionRoutes, type ActionRoutesDeps } from './routes/actions.js';
import { agentRoutes, type AgentRoutesDeps } from './routes/agent.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';

export const BODY_LIMIT = 1024 * 1024;

export interface AppDeps extends ActionRoutesDeps, Pick<AgentRoutesDeps, 'describeAgent'>, Omit<HealthDeps, 'metrics'> {
  logger: Logger;
  isUnavailable: (err: unknown) => boolean;
  /** Extra routes mounted by main (chat adapters): they stay outside the agent-auth scope. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
    // Never log headers: they carry agent keys and Slack signatures.
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Answers are checked against their documented schema; error bodies are built in one place (error-handler.ts) and sent as they are.
  app.setSerializerCompiler((route) => (Number(route.httpStatus) >= 400 ? (data: unknown) => JSON.stringify(data) : serializerCompiler(route as Parameters<typeof serializerCompiler>[0])));
  app.setErrorHandler(makeErrorHandler(deps.isUnavailable));
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, details: [] } }),
  );
  await registerOpenApi(app);
  await app.register(healthRoutes({ readiness: deps.readiness, chat: deps.chat, metrics: deps.metrics }));
  await app.register(actionRoutes(deps));
  await app.register(agentRoutes(deps));
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
