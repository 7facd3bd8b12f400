import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { QUEUES, createApprovalQueues } from '../../src/infra/queue/approval-queues.js';
import { createQueueFactory, type QueueFactory } from '../../src/infra/queue/backend.js';
import { createTestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait-for.js';

/** A Redis database of its own, flushed before use. */
const redisDbUrl = () => {
  const u = new URL(inject('redisUrl'));
  u.pathname = '/14';
  return u.toString();
};

const clock = { now: () => new Date() };

describe.each(['redis', 'postgres'] as const)('approval jobs on the %s backend', (backend) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function factory(): Promise<QueueFactory> {
    if (backend === 'redis') {
      const r = new Redis(redisDbUrl());
      await r.flushdb();
      r.disconnect();
      const f = await createQueueFactory({ kind: 'redis', url: redisDbUrl() });
      cleanups.push(() => f.close());
      return f;
    }
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const f = await createQueueFactory({ kind: 'postgres', url: db.url });
    cleanups.push(() => f.close());
    return f;
  }

  it('starts a round: its card at once, its deadline and reminder with it (Redis) or in the next timer batch (PostgreSQL), each once however often it is called', async () => {
    const queues = createApprovalQueues(await factory(), clock, pino({ level: 'silent' }));
    cleanups.push(() => queues.close());
    const ref = { tenant: 'acme', actionId: randomUUID(), round: 0 };
    const now = Date.now();
    const expiresAt = new Date(now + 60_000);
    const remindAt = new Date(now + 30_000);

    await queues.jobs.startRound(ref, { expiresAt, remindAt }, ['slack']);
    // The card job is there as soon as the call returns; the timers follow in their batch.
    expect((await queues.queues.cards.getJobs(['waiting'])).map((j) => j.id)).toEqual([`post_${ref.actionId}_0_slack`]);
    await queues.jobs.startRound(ref, { expiresAt, remindAt }, ['slack']);

    await waitFor(async () => (await queues.queues.timers.getJobs(['delayed'])).length > 0 && (await queues.queues.cards.getJobs(['delayed'])).length > 0, {
      what: 'the round timers',
    });
    await queues.jobs.flushTimers();
    const cards = await queues.queues.cards.getJobs(['waiting', 'delayed']);
    const timers = await queues.queues.timers.getJobs(['waiting', 'delayed']);
    expect(cards.map((j) => j.id).sort()).toEqual([`post_${ref.actionId}_0_slack`, `remind_${ref.actionId}_0`]);
    expect(timers.map((j) => j.id)).toEqual([`expire_${ref.actionId}_0_${expiresAt.getTime()}`]);

    const post = cards.find((j) => j.name === 'post')!;
    expect(post.data).toEqual({ kind: 'post', ...ref, platform: 'slack' });
    expect(await post.getState()).toBe('waiting');
    expect(post.opts.attempts).toBe(8);

    const remind = cards.find((j) => j.name === 'remind')!;
    expect(await remind.getState()).toBe('delayed');
    // Due at the reminder time (the delay counts from the job's own timestamp).
    expect(Math.abs(remind.timestamp + remind.delay - remindAt.getTime())).toBeLessThan(1000);

    const expire = timers[0]!;
    expect(expire.data).toEqual({ kind: 'expire', ...ref });
    expect(await expire.getState()).toBe('delayed');
    expect(Math.abs(expire.timestamp + expire.delay - expiresAt.getTime())).toBeLessThan(1000);
  });

  it('writes pending round timers when closed before their batch is due', async () => {
    const queues = createApprovalQueues(await factory(), clock, pino({ level: 'silent' }));
    const refs = Array.from({ length: 20 }, () => ({ tenant: 'acme', actionId: randomUUID(), round: 0 }));
    const expiresAt = new Date(Date.now() + 60_000);
    await Promise.all(refs.map((ref) => queues.jobs.startRound(ref, { expiresAt }, ['slack'])));
    // Closed before the batch was due: the close writes it.
    await queues.close();
    const timers = await queues.queues.timers.getJobs(['delayed']);
    expect(timers.map((j) => j.id).sort()).toEqual(refs.map((r) => `expire_${r.actionId}_0_${expiresAt.getTime()}`).sort());
  });

  it('starts a round without timers as its cards alone, one per chat platform', async () => {
    const queues = createApprovalQueues(await factory(), clock, pino({ level: 'silent' }));
    cleanups.push(() => queues.close());
    const ref = { tenant: 'acme', actionId: randomUUID(), round: 1 };
    await queues.jobs.startRound(ref, {}, ['slack', 'teams']);
    expect((await queues.queues.cards.getJobs(['waiting', 'delayed'])).map((j) => j.id).sort()).toEqual([`post_${ref.actionId}_1_slack`, `post_${ref.actionId}_1_teams`]);
    expect(await queues.queues.timers.getJobs(['waiting', 'delayed'])).toEqual([]);
  });

  it('replaces a card job that ran out of attempts when the reconciler enqueues it again', async () => {
    const f = await factory();
    const queues = createApprovalQueues(f, clock, pino({ level: 'silent' }));
    cleanups.push(() => queues.close());
    const ref = { tenant: 'acme', actionId: randomUUID(), round: 0, platform: 'slack' };
    await queues.jobs.startRound(ref, {}, ['slack']);
    // A worker that fails every post, with the job's attempts used up at once.
    const job = (await queues.queues.cards.getJob(`post_${ref.actionId}_0_slack`))!;
    const failing = f.worker(QUEUES.cards, async () => {
      throw new UnrecoverableError('Slack is down');
    });
    cleanups.push(() => failing.close());
    await waitFor(async () => (await job.getState()) === 'failed', { what: 'the card job failed for good' });
    await failing.close();
    // Adding the same job id again would be a no-op; the reconciler's repost replaces it.
    await queues.jobs.repostCard(ref);
    const again = (await queues.queues.cards.getJob(`post_${ref.actionId}_0_slack`))!;
    expect(await again.getState()).toBe('waiting');
    expect(again.attemptsMade).toBe(0);
  });
});
