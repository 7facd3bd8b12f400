import { ConnectionClosedError, FlowProducer, Queue, Worker, createPostgresBackend, withBackend, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { isDatabaseUnavailable } from '../postgres/pool.js';

/**
 * The one module that knows which BullMQ backend runs: Redis when
 * REDIS_URL is set, otherwise BullMQ's PostgreSQL backend in Airlock's own
 * database (schema `airlock_bullmq`). Everything else asks this module for
 * queues and workers.
 */
export type QueueBackendConfig =
  | { kind: 'redis'; url: string; prefix?: string }
  /** `poolSize`: connections each queue, worker and flow producer may open (default 10). */
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface QueueFactory {
  readonly kind: QueueBackendConfig['kind'];
  /** On the PostgreSQL backend, the schema holding the queue tables (for database maintenance). */
  readonly postgresSchema?: string;
  queue<D = unknown>(name: string, opts?: Omit<QueueOptions, 'connection'>): Queue<D>;
  worker<D = unknown>(name: string, processor: Processor<D>, opts?: Omit<WorkerOptions, 'connection'>): Worker<D>;
  /** Adds jobs to several queues in one call. */
  flowProducer(): FlowProducer;
  /** Resolves when the backend answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function createQueueFactory(config: QueueBackendConfig): Promise<QueueFactory> {
  return config.kind === 'redis' ? redisFactory(config.url, config.prefix) : postgresFactory(config.url, config.schema ?? 'airlock_bullmq', config.poolSize ?? 10);
}

function redisFactory(url: string, prefix = 'airlock'): QueueFactory {
  // The producing connection fails fast while Redis is away (no offline queue,
  // one try per command): a write past its chance becomes an error at once,
  // and the reconciler writes it again from Postgres later. Workers keep
  // their own blocking connections, which BullMQ needs with maxRetriesPerRequest: null.
  const shared = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  shared.on('error', () => undefined);
  const ping = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  ping.on('error', () => undefined);
  const owned: { close(): Promise<void> }[] = [];
  return {
    kind: 'redis',
    queue: <D>(name: string, opts = {}) => track(owned, new Queue<D>(name, { ...opts, prefix, connection: shared })),
    worker: <D>(name: string, processor: Processor<D>, opts = {}) =>
      track(owned, new Worker<D>(name, processor, { ...opts, prefix, connection: new Redis(url, { maxRetriesPerRequest: null }) })),
    flowProducer: () => track(owned, new FlowProducer({ prefix, connection: shared })),
    ping: async () => {
      await ping.ping();
    },
    close: async () => {
      await Promise.allSettled(owned.map((o) => o.close()));
      shared.disconnect();
      ping.disconnect();
    },
  };
}

async function postgresFactory(url: string, schema: string, poolSize: number): Promise<QueueFactory> {
  const pgClasses = withBackend(recoverable(createPostgresBackend));
  const owned: { close(): Promise<void> }[] = [];
  const connection = {
    connectionString: url,
    schema,
    max: poolSize,
    // BullMQ applies its own schema migrations (idempotent, under its advisory lock).
    migrate: true,
    // BullMQ's pool leaves checked-out clients without an 'error' listener; a
    // dropped connection would then crash the process. The query in flight
    // still fails and BullMQ retries.
    onConnect: (client: { on(event: 'error', listener: () => void): unknown }) => {
      client.on('error', () => undefined);
    },
  };
  // Workers' state changes (claim, complete, retry) commit without waiting for
  // the WAL flush. A database crash can lose only the last few hundred ms of
  // them, and a lost transition only makes a job run again: a completed job
  // comes back as stalled, a claimed one as waiting, and every processor is
  // idempotent (card claims, conditional decisions, one reminder per round).
  // Adds stay synchronous: a callback or card update once enqueued is never
  // lost. Measured with `npm run bench:slack`: card p99 79–110 → 40–48 ms.
  const workerConnection = { ...connection, options: '-c synchronous_commit=off' };
  let pinger: Queue | undefined;
  return {
    kind: 'postgres',
    postgresSchema: schema,
    queue: <D>(name: string, opts = {}) => track(owned, new pgClasses.Queue<D>(name, { ...opts, connection }) as unknown as Queue<D>),
    worker: <D>(name: string, processor: Processor<D>, opts = {}) =>
      track(owned, new pgClasses.Worker<D>(name, processor, { runRetryDelay: OUTAGE_RETRY_MS, ...opts, connection: workerConnection }) as unknown as Worker<D>),
    flowProducer: () => track(owned, new pgClasses.FlowProducer({ connection }) as unknown as FlowProducer),
    ping: async () => {
      pinger ??= track(owned, new pgClasses.Queue('airlock-ping', { connection }) as unknown as Queue);
      await pinger.getJobCounts('waiting');
    },
    close: async () => {
      await Promise.allSettled(owned.map((o) => o.close()));
    },
  };
}

/** How long a worker waits before asking an unreachable Postgres again. */
const OUTAGE_RETRY_MS = 1_000;

type PostgresBackend = ReturnType<typeof createPostgresBackend>;

/**
 * Makes BullMQ's PostgreSQL backend (6.7) survive a Postgres outage:
 * - the backend and its connection remember a failed start-up (schema check)
 *   forever, so a queue or worker that started up during an outage would fail
 *   every call at once until restarted; here the next call starts up again;
 * - it passes connection failures on as plain errors, which a Worker retries
 *   at once, and a retry that fails without I/O turns the worker loop into a
 *   microtask spin that starves the event loop (no HTTP answers, no timers).
 *   Here they become BullMQ's ConnectionClosedError, after which a Worker
 *   waits `runRetryDelay`.
 * Reaches into members of the backend (`readyPromise`, `connection.readyPromise`,
 * `query`); test/integration/fail-closed.test.ts fails if they change.
 */
function recoverable(factory: typeof createPostgresBackend): typeof createPostgresBackend {
  return (...args) => {
    const backend: PostgresBackend = factory(...args);
    const internals = backend as unknown as Startable & {
      connection: Startable;
      query(text: string, params?: unknown[]): Promise<unknown>;
    };
    retryStartUp(internals.connection);
    retryStartUp(internals);
    const query = internals.query.bind(backend);
    internals.query = async (text, params) => {
      try {
        return await query(text, params);
      } catch (err) {
        throw asConnectionError(err);
      }
    };
    return backend;
  };
}

/** Both the backend and its connection remember their start-up promise. */
interface Startable {
  waitUntilReady(): Promise<void>;
  readyPromise?: Promise<void>;
}

function retryStartUp(target: Startable) {
  const ready = target.waitUntilReady.bind(target);
  target.waitUntilReady = async () => {
    try {
      await ready();
    } catch (err) {
      target.readyPromise = undefined;
      throw asConnectionError(err);
    }
  };
}

function asConnectionError(err: unknown): unknown {
  if (err instanceof ConnectionClosedError || !isDatabaseUnavailable(err)) return err;
  const closed = new ConnectionClosedError();
  closed.message = `${closed.message} (${(err as Error).message})`;
  return closed;
}

/**
 * Queues and workers emit 'error' when their connection drops; an EventEmitter
 * with no listener would turn that into an uncaught exception and kill the
 * process. BullMQ reconnects by itself, so the event is only worth a log line.
 */
let onError: (err: Error) => void = () => undefined;
export const setQueueErrorLogger = (fn: (err: Error) => void) => {
  onError = fn;
};

function track<T extends { close(): Promise<void>; on(event: 'error', fn: (err: Error) => void): unknown }>(list: { close(): Promise<void> }[], item: T): T {
  item.on('error', (err) => onError(err));
  list.push(item);
  return item;
}
