import { ConfigError, loadEnv } from '../config/env.js';
import { buildApi } from './api.js';
import { buildCore } from './container.js';
import { createLogger } from './logger.js';
import { startApprovals } from './worker.js';

/** `npm start`: the API, the worker, or both (AIRLOCK_ROLE). */
async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`airlock: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(env.LOG_LEVEL);
  const core = await buildCore(env, log);
  const stops: (() => Promise<void>)[] = [];

  const approvals = await startApprovals(core, { processors: env.AIRLOCK_ROLE !== 'api' });
  stops.push(approvals.close);
  if (env.AIRLOCK_ROLE !== 'worker') {
    const app = await buildApi(core, { dispatcher: approvals.dispatcher, plugins: [approvals.slack?.mount, approvals.teams?.mount].filter((m) => m !== undefined) });
    await app.listen({ port: env.PORT, host: env.HOST });
    stops.unshift(() => app.close());
  }
  log.info({ role: env.AIRLOCK_ROLE }, 'airlock started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const stop of stops) await stop().catch((err) => log.error({ err: (err as Error).message }, 'shutdown step failed'));
    await core.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`airlock: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
