import type { Logger } from 'pino';
import { AirlockError } from '../../domain/errors.js';

/** The first wait after a failure; it doubles up to the configured maximum. */
const FIRST_BACKOFF_MS = 500;
/** Tenants shipped at once by one process (each holds a database connection while its turn lasts). */
const CONCURRENCY = 4;
/** A look for work even without a notification (one lost while the listener reconnected, say). */
const POLL_MS = 10_000;

export interface AuditSinkLoop {
  /** Something was sealed: look for work now (a no-op while backing off). */
  wake(): void;
  /** Ends the loop after the current turn; resolves once it has. */
  stop(): Promise<void>;
}

type Trouble = 'sink' | 'database';

/**
 * Ships every tenant that is behind, again and again: right away while there
 * is more or a seal woke it, else after a notification or a poll. When a turn
 * fails the loop waits, doubling from 500 ms up to `maxBackoffMs`, and tries
 * again forever; it logs when delivery stops and when it resumes, never per
 * attempt. Nothing waits in memory: the events stay in Postgres past each
 * tenant's cursor, so intake never notices a slow sink.
 */
export function startAuditSinkLoop(deps: {
  tenantsBehind(): Promise<string[]>;
  /** One turn for one tenant: throws `delivery_failed` when the sink did not take a batch. */
  ship(tenant: string): Promise<{ more: boolean }>;
  log: Logger;
  /** Where the sink is, for the log: its host only (the path or query may hold a token). */
  sinkHost: string;
  maxBackoffMs: number;
}): AuditSinkLoop {
  let stopped = false;
  let woken = true;
  let interrupt: (() => void) | undefined;
  let interruptible = false;

  const sleep = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = done;
      interruptible = wakeable;
    });

  /** One pass over the tenants behind; the first failure of the pass, if any. */
  async function pass(): Promise<{ more: boolean; trouble?: { kind: Trouble; reason: string } }> {
    let tenants: string[];
    try {
      tenants = await deps.tenantsBehind();
    } catch (err) {
      return { more: false, trouble: { kind: 'database', reason: (err as Error).message } };
    }
    let more = false;
    let trouble: { kind: Trouble; reason: string } | undefined;
    const queue = [...tenants];
    const worker = async () => {
      for (let tenant = queue.shift(); tenant !== undefined && !stopped; tenant = queue.shift()) {
        try {
          if ((await deps.ship(tenant)).more) more = true;
        } catch (err) {
          const kind: Trouble = err instanceof AirlockError && err.code === 'delivery_failed' ? 'sink' : 'database';
          trouble ??= { kind, reason: (err as Error).message };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tenants.length) }, worker));
    return trouble ? { more, trouble } : { more };
  }

  const run = (async () => {
    let backoff = FIRST_BACKOFF_MS;
    let failing: { kind: Trouble; since: number; attempts: number } | undefined;
    while (!stopped) {
      woken = false;
      const { more, trouble } = await pass();
      if (stopped) break;
      if (trouble) {
        if (failing?.kind !== trouble.kind) {
          failing = { kind: trouble.kind, since: Date.now(), attempts: 0 };
          const fields = { sink: deps.sinkHost, reason: trouble.reason, max_backoff_ms: deps.maxBackoffMs };
          if (trouble.kind === 'sink') deps.log.warn(fields, 'audit sink unreachable; retrying with backoff (the events wait in Postgres)');
          else deps.log.warn(fields, 'audit sink delivery paused: the database is unavailable; retrying with backoff');
        }
        failing.attempts += 1;
        await sleep(backoff, false);
        backoff = Math.min(backoff * 2, deps.maxBackoffMs);
        continue;
      }
      if (failing) {
        deps.log.info({ sink: deps.sinkHost, down_ms: Date.now() - failing.since, failed_attempts: failing.attempts }, 'audit sink reachable again; delivery resumed');
        failing = undefined;
        backoff = FIRST_BACKOFF_MS;
      }
      if (!more && !woken) await sleep(POLL_MS, true);
    }
  })();

  return {
    wake() {
      woken = true;
      if (interruptible) interrupt?.();
    },
    async stop() {
      stopped = true;
      interrupt?.();
      await run;
    },
  };
}
