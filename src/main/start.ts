import { ConfigError, loadEnv, type Env } from '../config/env.js';
import { buildHealthApp } from '../http/build-health-app.js';
import { buildApi } from './api.js';
import { buildCore } from './container.js';
import { describeError } from './describe-error.js';
import { healthOf } from './health.js';
import { serveLivePolicy } from './live-policy.js';
import { createLogger } from './logger.js';
import { createProcessMetrics } from './metrics.js';
import { takeOverSignals } from './process-signals.js';
import { startApprovals } from './worker.js';

/**
 * `npm start`: the API, the worker, or both (AIRLOCK_ROLE).
 *
 * Shutdown (SIGTERM, SIGINT) runs in the reverse order of start-up: stop
 * accepting and answer what is in flight (long-polls with the action as it
 * stands), close the queue workers (they finish their current jobs), finish
 * sealing the audit trail, close the connections, and stop an embedded
 * Postgres last.
 */
async function main() {
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`airlock: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(env);
  const signals = takeOverSignals(log);
  signals.stopWhenOrphaned();

  const started = (async () => {
    const core = await buildCore(env, log);
    signals.onStop('finish sealing, close connections, stop an embedded Postgres', core.close);
    signals.onReload(core.reloadPolicy);
    const stopRecording = await serveLivePolicy(core);
    signals.onStop('stop recording the live policy', async () => stopRecording());

    const metrics = createProcessMetrics(core);
    const approvals = await startApprovals(core, { processors: env.AIRLOCK_ROLE !== 'api', metrics: metrics.approvals });
    signals.onStop('close the queue workers', approvals.close);
    if (env.AIRLOCK_ROLE !== 'worker') {
      const app = await buildApi(core, {
        dispatcher: approvals.dispatcher,
        platforms: approvals.platforms,
        chatStates: approvals.chatStates,
        consoleState: approvals.consoleState,
        plugins: approvals.mounts,
        shuttingDown: signals.stopping,
        metrics,
      });
      signals.onStop('stop accepting requests, answer those in flight', () => app.close());
      await app.listen({ port: env.PORT, host: env.HOST });
    } else {
      // A worker alone still answers probes, and its counters (cards, callbacks, expiries) exist nowhere else.
      const endpoint = await buildHealthApp({ logger: log, metrics, ...healthOf(core, approvals.chatStates) });
      signals.onStop('stop serving /healthz, /readyz and /metrics', () => endpoint.close());
      await endpoint.listen({ port: env.PORT, host: env.HOST });
    }
    // The pid is the one to send SIGHUP to (not npm's: npm exits on it, and Airlock stops with its parent).
    log.info({ role: env.AIRLOCK_ROLE, pid: process.pid }, 'airlock started');
  })();
  signals.starting(started);
  try {
    await started;
  } catch (err) {
    process.stderr.write(`airlock: failed to start: ${describeError(err)}\n`);
    await signals.failed();
  }
}

main().catch((err) => {
  process.stderr.write(`airlock: failed to start: ${describeError(err)}\n`);
  process.exit(1);
});
