import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { makeErrorHandler } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { actionRoutes, type ActionRoutesDeps } from './routes/actions.js';
import { agentRoutes, type AgentRoutesDeps } from './routes/agent.js';
import { healthRoutes, type HealthDeps } from './routes/health.js';

export const BODY_LIMIT = 1024 * 1024;

/** How long a client may take; every one is a bound on what a slow or silent client can hold. */
export interface ServerTimeouts {
  /** To send the request headers. */
  headersMs: number;
  /** To send the whole request, body included (a trickling body is cut here, answered 408). */
  requestMs: number;
  /** With no byte either way, open request or not; longer than the longest `?wait`. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 90_000 };

export interface AppDeps extends ActionRoutesDeps, Pick<AgentRoutesDeps, 'describeAgent'>, Omit<HealthDeps, 'metrics'> {
  logger: Logger;
  isUnavailable: (err: unknown) => boolean;
  /** Extra routes mounted by main (chat adapters): they stay outside the agent-auth scope. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
  timeouts?: ServerTimeouts;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const timeouts = deps.timeouts ?? DEFAULT_TIMEOUTS;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Node's defaults (5 minutes for a request, checked every 30 s) let a
    // client sending a byte every few seconds hold a connection, and the body
    // buffered so far, for 330 s. A fully received request is no longer
    // subject to requestTimeout, so a `?wait=60` long-poll is bounded by the
    // idle timeout alone.
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.min(1_000, Math.max(100, timeouts.headersMs / 2)) },
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
  await app.register(healthRoutes({ readiness: deps.readiness, chat: deps.chat, policy: deps.policy, console: deps.console, metrics: deps.metrics }));
  await app.register(actionRoutes(deps));
  await app.register(agentRoutes(deps));
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
