import { DelayedError, UnrecoverableError, type FlowProducer, type Job, type JobsOptions, type Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { AirlockError } from '../../domain/errors.js';
import { RateLimited } from '../../domain/rate-limited.js';
import type { ActionJobRef, ApprovalJobs, CardJobRef, RoundTimers } from '../../ports/approval-jobs.js';
import type { Clock } from '../../ports/clock.js';
import type { QueueFactory } from './backend.js';

export const QUEUES = { cards: 'airlock-cards', timers: 'airlock-timers', callbacks: 'airlock-callbacks' } as const;

/** `platform` on a post job; one from before platforms existed has none (its card is a card debt the reconciler enqueues again). */
type CardJob = { kind: 'post' | 'update' | 'remind'; tenant: string; actionId: string; round?: number; platform?: string; reason?: string };
type TimerJob = { kind: 'expire' | 'reconcile'; tenant?: string; actionId?: string; round?: number };
type CallbackJob = { tenant: string; actionId: string; status: string };

// Job ids are derived from the action so enqueueing twice adds one job.
// BullMQ reserves ':' in ids, hence '_'.
const jobId = (...parts: (string | number)[]) => parts.join('_');
const postJobId = (ref: CardJobRef) => jobId('post', ref.actionId, ref.round, ref.platform);

const KEEP = { removeOnComplete: true, removeOnFail: 1000 } as const;
// Not deduplicated by id: a later state must always be rendered after an earlier one.
const UPDATE_OPTS: JobsOptions = { ...KEEP, attempts: 8, backoff: { type: 'exponential', delay: 500 } };
const callbackOpts = (actionId: string, status: string): JobsOptions => ({
  ...KEEP,
  jobId: jobId('callback', actionId, status),
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
});
/** Jobs per bulk write. */
const BULK = 500;
const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

type CardQueue = Queue<CardJob>;
type TimerQueue = Queue<TimerJob>;

/** One job to enqueue: the queue it goes to, its name, data and options. */
interface JobSpec {
  queueName: string;
  name: string;
  data: CardJob | TimerJob;
  opts: JobsOptions;
}

/**
 * On the PostgreSQL backend, how long the timers of new rounds wait to be
 * written together: every write there wakes the queue's workers through
 * NOTIFY, so one write and one timer-worker wake-up per batch instead of per
 * action. On Redis a write is cheap and a batch only delays the writes behind
 * it, so timers go with their card (measured: card p99 ~20–30 → ~30–65 ms with
 * batches on Redis).
 */
export const TIMER_BATCH_MS = 100;

/**
 * Every queue write gives up after this long. The state it serves is already
 * durable in Postgres, and the reconciler repairs any job that was not
 * written, so a Redis outage costs a late card, never a request, a click or
 * an admin command held open.
 */
export const QUEUE_WRITE_DEADLINE_MS = 2_000;

/** Enqueueing side of the approval loop. */
export class BullApprovalJobs implements ApprovalJobs {
  private readonly pendingTimers: { ref: ActionJobRef; timers: RoundTimers }[] = [];
  private timerFlush: NodeJS.Timeout | undefined;
  private timerWrites: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly queues: { cards: CardQueue; timers: TimerQueue; callbacks: Queue<CallbackJob> },
    private readonly flows: FlowProducer,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** 0: a round's timers are written with its card. */
    private readonly timerBatchMs: number,
    private readonly deadlineMs = QUEUE_WRITE_DEADLINE_MS,
  ) {}

  /** A queue write, or an `unavailable` error once its deadline passes (the write may still land later: jobs are idempotent). */
  private within<T>(what: string, write: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AirlockError('unavailable', `the queue did not take the ${what} within ${this.deadlineMs} ms`, { retry: true })), this.deadlineMs);
    });
    return Promise.race([write, deadline]).finally(() => clearTimeout(timer));
  }

  private delayUntil(at: Date) {
    return Math.max(0, at.getTime() - this.clock.now().getTime());
  }

  /** `delayMs`: the card's send slot is that far off (a delayed job takes no worker slot until then). */
  private postSpec(ref: CardJobRef, delayMs = 0): JobSpec {
    return {
      queueName: QUEUES.cards,
      name: 'post',
      data: { kind: 'post', ...ref },
      opts: { ...KEEP, jobId: postJobId(ref), attempts: 8, backoff: { type: 'exponential', delay: 500 }, ...(delayMs > 0 ? { delay: delayMs } : {}) },
    };
  }

  private expirySpec(ref: ActionJobRef, at: Date): JobSpec {
    return {
      queueName: QUEUES.timers,
      name: 'expire',
      data: { kind: 'expire', ...ref },
      opts: { ...KEEP, jobId: jobId('expire', ref.actionId, ref.round, at.getTime()), delay: this.delayUntil(at), attempts: 5, backoff: { type: 'exponential', delay: 500 } },
    };
  }

  private reminderSpec(ref: ActionJobRef, at: Date): JobSpec {
    return {
      queueName: QUEUES.cards,
      name: 'remind',
      data: { kind: 'remind', ...ref },
      opts: { ...KEEP, jobId: jobId('remind', ref.actionId, ref.round), delay: this.delayUntil(at), attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
    };
  }

  private async add(spec: JobSpec) {
    const queue = spec.queueName === QUEUES.timers ? this.queues.timers : this.queues.cards;
    await this.within(`${spec.name} job`, (queue as Queue<CardJob | TimerJob>).add(spec.name, spec.data, spec.opts));
  }

  /**
   * The card job is written before this resolves; with batching, the deadline
   * and reminder follow within the batch time, together with other rounds'.
   * Should the process die in between, the reconciler applies them from Postgres.
   */
  async startRound(ref: ActionJobRef, timers: RoundTimers, platforms: readonly string[], delays: Readonly<Record<string, number>> = {}) {
    const posts = platforms.map((platform) => this.add(this.postSpec({ ...ref, platform }, delays[platform])));
    if (this.timerBatchMs === 0) {
      // Independent writes, side by side: the cards do not wait behind the timers.
      await Promise.all([
        ...posts,
        timers.expiresAt ? this.scheduleExpiry(ref, timers.expiresAt) : undefined,
        timers.remindAt ? this.add(this.reminderSpec(ref, timers.remindAt)) : undefined,
      ]);
      return;
    }
    if (timers.expiresAt || timers.remindAt) {
      this.pendingTimers.push({ ref, timers });
      this.timerFlush ??= setTimeout(() => void this.flushTimers(), this.timerBatchMs);
    }
    await Promise.all(posts);
  }

  /** Writes the pending timers of new rounds now; resolves when every write so far has ended. */
  flushTimers(): Promise<unknown> {
    clearTimeout(this.timerFlush);
    this.timerFlush = undefined;
    const batch = this.pendingTimers.splice(0);
    const specs = batch.flatMap(({ ref, timers }) => [
      ...(timers.expiresAt ? [this.expirySpec(ref, timers.expiresAt)] : []),
      ...(timers.remindAt ? [this.reminderSpec(ref, timers.remindAt)] : []),
    ]);
    if (specs.length > 0) {
      // Jobs without children: a flow producer writes them, across queues, in one call.
      const write = this.within('round timers', this.flows.addBulk(specs)).catch((err: Error) =>
        this.log.warn({ err: err.message, rounds: batch.length }, 'could not schedule the deadlines and reminders of new rounds; the reconciler will apply them'),
      );
      this.timerWrites = Promise.all([this.timerWrites, write]);
    }
    return this.timerWrites;
  }

  async repostCard(ref: CardJobRef) {
    // Re-adding the id of a job that ran out of attempts is a no-op in BullMQ: replace it.
    const existing = await this.within('card job lookup', this.queues.cards.getJob(postJobId(ref)));
    if (existing && (await existing.isFailed())) await this.within('failed card job removal', existing.remove());
    await this.add(this.postSpec(ref));
  }

  async scheduleExpiry(ref: ActionJobRef, at: Date) {
    await this.add(this.expirySpec(ref, at));
  }

  async updateCards(ref: { tenant: string; actionId: string }, reason: string) {
    await this.within('card update job', this.queues.cards.add('update', { kind: 'update', ...ref, reason }, UPDATE_OPTS));
  }

  async updateCardsOf(refs: { tenant: string; actionId: string }[], reason: string) {
    for (const chunk of chunks(refs, BULK)) {
      await this.within('card update jobs', this.queues.cards.addBulk(chunk.map((ref) => ({ name: 'update', data: { kind: 'update' as const, ...ref, reason }, opts: UPDATE_OPTS }))));
    }
  }

  async deliverCallback(ref: { tenant: string; actionId: string }, status: string) {
    await this.within('callback job', this.queues.callbacks.add('deliver', { ...ref, status }, callbackOpts(ref.actionId, status)));
  }

  async deliverCallbacks(refs: { tenant: string; actionId: string; status: string }[]) {
    for (const chunk of chunks(refs, BULK)) {
      await this.within('callback jobs', this.queues.callbacks.addBulk(chunk.map((r) => ({ name: 'deliver', data: r, opts: callbackOpts(r.actionId, r.status) }))));
    }
  }
}

export interface ApprovalProcessors {
  postCard(ref: CardJobRef): Promise<unknown>;
  updateCards(tenant: string, actionId: string): Promise<unknown>;
  remind(ref: ActionJobRef): Promise<unknown>;
  expire(ref: ActionJobRef): Promise<unknown>;
  reconcile(): Promise<unknown>;
  deliverCallback(tenant: string, actionId: string): Promise<unknown>;
  callbackFailed(tenant: string, actionId: string, err: Error): Promise<void>;
  callbackDelivered(tenant: string, actionId: string, result: unknown): Promise<void>;
}

/**
 * Permanent failures stop retries (STYLE.md convention 5). A platform's
 * "wait and retry" (RateLimited) delays the job by what it asked, without
 * spending an attempt: a card under rate limits is late, never lost.
 */
async function run<T>(job: Job, token: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RateLimited && token) {
      await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
      throw new DelayedError();
    }
    if (err instanceof AirlockError && !err.retry) throw new UnrecoverableError(err.message);
    throw err;
  }
}

export const RECONCILE_EVERY_MS = 1_000;

/**
 * Callback deliveries at once per process. A delivery mostly waits on the
 * receiver, so the PostgreSQL backend gets more of these slots than of the
 * others; each agent and tenant may use only a share of them (see
 * makeCallbackLanes), so a receiver that never answers holds only its share.
 */
export const CALLBACK_CONCURRENCY = { redis: 16, postgres: 8 } as const;
const SCHEDULER_REFRESH_MS = 5_000;

/** Queues now; workers when `startWorkers` is called (worker role only). */
export function createApprovalQueues(factory: QueueFactory, clock: Clock, log: Logger) {
  const queues = {
    cards: factory.queue<CardJob>(QUEUES.cards),
    timers: factory.queue<TimerJob>(QUEUES.timers),
    callbacks: factory.queue<CallbackJob>(QUEUES.callbacks),
  };
  const jobs = new BullApprovalJobs(queues, factory.flowProducer(), clock, log, factory.kind === 'postgres' ? TIMER_BATCH_MS : 0);
  const workers: Worker[] = [];
  let scheduleTimer: NodeJS.Timeout | undefined;
  const startWorkers = async (p: ApprovalProcessors) => {
    // On the PostgreSQL backend every concurrent slot polls Postgres; a few slots keep it from competing with intake.
    const workerOpts = { concurrency: factory.kind === 'redis' ? 16 : 4, stalledInterval: 5_000, lockDuration: 10_000, maxStalledCount: 5 };
    workers.push(
      factory.worker<CardJob>(QUEUES.cards, (job: Job<CardJob>, token?: string) =>
        run(job, token, async () => {
          const d = job.data;
          if (d.kind === 'post') {
            // Migrations 0008 and 0023 recorded the card such a job owed as a debt of its platform.
            if (!d.platform) return undefined;
            return p.postCard({ tenant: d.tenant, actionId: d.actionId, round: d.round ?? 0, platform: d.platform });
          }
          if (d.kind === 'remind') return p.remind({ tenant: d.tenant, actionId: d.actionId, round: d.round ?? 0 });
          return p.updateCards(d.tenant, d.actionId);
        }), workerOpts),
      factory.worker<TimerJob>(QUEUES.timers, (job: Job<TimerJob>, token?: string) =>
        run(job, token, async () => {
          const d = job.data;
          if (d.kind === 'reconcile') return p.reconcile();
          return p.expire({ tenant: d.tenant!, actionId: d.actionId!, round: d.round ?? 0 });
        }), { ...workerOpts, concurrency: factory.kind === 'redis' ? 8 : 2 }),
      factory.worker<CallbackJob>(QUEUES.callbacks, (job: Job<CallbackJob>, token?: string) => run(job, token, () => p.deliverCallback(job.data.tenant, job.data.actionId)), {
        ...workerOpts,
        concurrency: CALLBACK_CONCURRENCY[factory.kind],
      }),
    );
    const callbacks = workers[2]!;
    callbacks.on('completed', (job: Job<CallbackJob>, result) => void p.callbackDelivered(job.data.tenant, job.data.actionId, result).catch(() => undefined));
    callbacks.on('failed', (job: Job<CallbackJob> | undefined, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final) void p.callbackFailed(job.data.tenant, job.data.actionId, err).catch(() => undefined);
      else log.warn({ action: job.data.actionId, attempt: job.attemptsMade, err: err.message }, 'callback delivery failed; retrying');
    });
    for (const w of workers) {
      w.on('failed', (job: Job | undefined, err) => {
        if (job && job.queueName !== QUEUES.callbacks) log.warn({ queue: job.queueName, job: job.id, attempt: job.attemptsMade, err: err.message }, 'job failed');
      });
    }
    // Re-upserted periodically: a flushed Redis (or deleted job rows) loses the
    // scheduler too, and the reconciler is what recovers from exactly that.
    const schedule = () =>
      queues.timers
        .upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', data: { kind: 'reconcile' }, opts: KEEP })
        .catch((err: Error) => log.warn({ err: err.message }, 'could not schedule the reconciler; retrying'));
    // Not awaited: a process started while Redis is down must still serve; the refresh registers it once Redis answers.
    void schedule();
    scheduleTimer = setInterval(() => void schedule(), SCHEDULER_REFRESH_MS);
  };
  return {
    jobs,
    queues,
    startWorkers,
    close: async () => {
      if (scheduleTimer) clearInterval(scheduleTimer);
      await jobs.flushTimers();
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}
