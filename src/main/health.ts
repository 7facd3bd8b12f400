import type { ChatHealth, HealthDeps } from '../http/routes/health.js';
import type { Core } from './container.js';

/** What /readyz reports, the same for the API and a worker's own endpoint. */
export function healthOf(core: Core, chatStates?: () => Promise<ChatHealth>, consoleState?: () => string): Omit<HealthDeps, 'metrics'> {
  return {
    readiness: {
      postgres: async () => {
        await core.pool.query('SELECT 1');
      },
      // Redis when REDIS_URL is set; otherwise the queues live in Postgres and this checks their schema.
      [core.queues.kind === 'redis' ? 'redis' : 'queue']: () => core.queues.ping(),
    },
    chat: chatStates,
    ...(consoleState ? { console: consoleState } : {}),
    policy: () => ({ version: core.policy.current().fileVersion, refused: core.policy.refused() }),
  };
}
