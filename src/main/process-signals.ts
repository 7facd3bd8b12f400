import type { Logger } from 'pino';
import { describeError } from './describe-error.js';

/** A stop that takes longer than this ends the process anyway, with exit code 1. */
export const SHUTDOWN_TIMEOUT_MS = 20_000;

export interface ProcessSignals {
  /** Aborted when shutdown begins: in-flight long-polls answer at once with the action as it stands. */
  readonly stopping: AbortSignal;
  /** What SIGHUP does once the process has started. */
  onReload(reload: () => Promise<void>): void;
  /** A shutdown step. Steps run in the reverse order they were added, undoing start-up from its end. */
  onStop(name: string, stop: () => Promise<void>): void;
  /** Start-up failed: undoes what it opened (an embedded Postgres is not left running), then exits 1. */
  failed(): Promise<void>;
  /** Start-up in progress: a stop requested meanwhile waits for it, then stops what it opened. */
  starting(startup: Promise<unknown>): void;
  /** Stops the process when its parent exits (see `stopWhenOrphaned`). */
  stopWhenOrphaned(): void;
}

/**
 * Airlock owns its signals: SIGHUP reloads the policy, SIGTERM and SIGINT
 * stop gracefully (steps in order, bounded by SHUTDOWN_TIMEOUT_MS, exit 0 when
 * every step succeeded). Registered first thing in the process, before any
 * library can install handlers of its own that would call process.exit.
 * A repeated SIGINT (a terminal sends it to npm and to Airlock, and npm
 * forwards it again) does not cut the stop short.
 */
export function takeOverSignals(log: Logger, timeoutMs = SHUTDOWN_TIMEOUT_MS): ProcessSignals {
  const controller = new AbortController();
  const steps: { name: string; run: () => Promise<void> }[] = [];
  let reload: (() => Promise<void>) | undefined;
  let startup: Promise<unknown> = Promise.resolve();
  let startupFailed = false;

  const stop = async (why: string) => {
    if (controller.signal.aborted) return;
    if (!startupFailed) log.info({ signal: why }, 'shutting down');
    controller.abort();
    let current = 'start-up';
    setTimeout(() => {
      log.error({ step: current, timeout_ms: timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    await startup.catch(() => undefined);
    let failed = false;
    for (const step of steps.reverse()) {
      current = step.name;
      try {
        await step.run();
      } catch (err) {
        failed = true;
        log.error({ step: step.name, err: describeError(err) }, 'shutdown step failed');
      }
    }
    if (!startupFailed) log.info('stopped');
    process.exit(failed || startupFailed ? 1 : 0);
  };

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => {
    if (controller.signal.aborted) return;
    if (!reload) log.warn('SIGHUP during start-up: ignored (the policy is being loaded)');
    else void reload();
  });

  return {
    stopping: controller.signal,
    onReload: (fn) => (reload = fn),
    onStop: (name, fn) => void steps.push({ name, run: fn }),
    starting: (p) => (startup = p),
    failed: () => {
      startupFailed = true;
      return stop('start-up failed');
    },
    /**
     * When started by an npm script (`npm start`), a server that outlives npm
     * (killed with SIGKILL, or a shell between them that does not forward
     * SIGTERM) would keep holding its port with nobody to stop it. The parent
     * is checked once a second; when it is gone, the process stops as on
     * SIGTERM. Not done otherwise: `nohup node …` and supervisors own their
     * process's lifetime.
     */
    stopWhenOrphaned: () => {
      if (!process.env.npm_lifecycle_event) return;
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) void stop('parent process exited');
      }, 1_000).unref();
    },
  };
}
