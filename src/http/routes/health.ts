import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

export interface HealthDeps {
  /** Each check resolves when its dependency answers; the name appears in /readyz output. */
  readiness: Record<string, () => Promise<void>>;
  /**
   * Each chat platform's start-up state (`ok`, `starting`, `failing: …`).
   * Reported, but never a reason to be not ready: the gate keeps deciding
   * while a chat platform is down.
   */
  chat?: () => Record<string, string>;
  /**
   * The live policy's version, and why the file on disk was refused when its
   * last reload failed. Reported, never a reason to be not ready: the gate
   * keeps deciding with the last good policy.
   */
  policy?: () => { version: string; refused?: string };
  /**
   * The web console's identity provider (`ok`, `starting`, `failing: …`),
   * when the console is served. Reported, never a reason to be not ready:
   * only sign-in needs it.
   */
  console?: () => string;
  metrics: Metrics;
}

const withTimeout = (p: Promise<void>, ms: number) =>
  Promise.race([p, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export const healthRoutes =
  (deps: HealthDeps): FastifyPluginAsync =>
  async (app) => {
    app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { tags: ['health'], summary: 'Postgres and the queue backend answer (503 otherwise)' } }, async (_req, reply) => {
      const results = await Promise.all(
        Object.entries(deps.readiness).map(async ([name, check]) => {
          try {
            await withTimeout(check(), 2_000);
            return [name, 'ok'] as const;
          } catch {
            return [name, 'unreachable'] as const;
          }
        }),
      );
      const checks = Object.fromEntries(results);
      const ready = results.every(([, s]) => s === 'ok');
      const chat = deps.chat?.();
      const policy = deps.policy?.();
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks,
        ...(chat && Object.keys(chat).length > 0 ? { chat } : {}),
        ...(deps.console ? { console: { identity_provider: deps.console() } } : {}),
        ...(policy ? { policy: { version: policy.version, file: policy.refused === undefined ? 'ok' : `refused: ${policy.refused}` } } : {}),
      });
    });

    app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
