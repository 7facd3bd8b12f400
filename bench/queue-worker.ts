import { createQueueFactory } from '../src/infra/queue/backend.js';

/**
 * Spawned by bench/slack.ts for its queue-only baseline: one BullMQ Worker in
 * its own process (as Airlock's worker runs), on the backend named by
 * BENCH_QUEUE_KIND/BENCH_QUEUE_URL. The processor does nothing but report,
 * over IPC, the wall-clock time it picked the job up; the bench process (same
 * machine, same clock) subtracts the time it called `queue.add`.
 */
const kind = process.env.BENCH_QUEUE_KIND;
const url = process.env.BENCH_QUEUE_URL;
const name = process.env.BENCH_QUEUE_NAME;
if ((kind !== 'redis' && kind !== 'postgres') || !url || !name || !process.send) {
  process.stderr.write('queue-worker: needs BENCH_QUEUE_KIND, BENCH_QUEUE_URL, BENCH_QUEUE_NAME and an IPC channel\n');
  process.exit(2);
}
const send = process.send.bind(process);

const factory = await createQueueFactory(kind === 'redis' ? { kind, url } : { kind, url });
// The same concurrency as Airlock's card worker.
const worker = factory.worker<{ i: number }>(
  name,
  async (job) => {
    send({ i: job.data.i, at: Date.now() });
  },
  { concurrency: 16 },
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await factory.close();
  process.exit(0);
};
process.on('message', (m) => {
  if (m === 'stop') void stop();
});
// The bench died: do not linger.
process.on('disconnect', () => void stop());

await worker.waitUntilReady();
send({ ready: true });
