import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

/** The chat platforms as /readyz reports them. */
export interface ChatHealth {
  /** By platform: `ok`, `starting` or `failing: <what to fix>`. */
  states: Record<string, string>;
  /** By platform, the tenants whose workspace has no installation of the app: their cards are held. */
  notInstalled: Record<string, string[]>;
}

export interface HealthDeps {
  /** Each check resolves when its dependency answers; the name appears in /readyz output. */
  readiness: Record<string, () => Promise<void>>;
  /**
   * Each chat platform's start-up state, and the tenants whose cards it
   * holds for want of an installation. Reported, but never a reason to be
   * not ready: the gate keeps deciding while a chat platform is down.
   */
  chat?: () => Promise<ChatHealth>;
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
      const chat = await deps.chat?.();
      const policy = deps.policy?.();
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks,
        ...(chat && Object.keys(chat.states).length > 0 ? { chat: chat.states } : {}),
        ...(chat && Object.keys(chat.notInstalled).length > 0 ? { not_installed: chat.notInstalled } : {}),
        ...(deps.console ? { console: { identity_provider: deps.console() } } : {}),
        ...(policy ? { policy: { version: policy.version, file: policy.refused === undefined ? 'ok' : `refused: ${policy.refused}` } } : {}),
      });
    });

    app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });
  };
