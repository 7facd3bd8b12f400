import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/domain/action.js';
import type { ActionEvents } from '../../../src/ports/action-events.js';
import type { ActionStore } from '../../../src/ports/action-store.js';
import { ActionWatches } from '../../../src/usecases/watch-action.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A store holding one action, recording reads, each read finishing when the test says; change events the test sends. */
function fixture() {
  let action = { id: 'a1', tenant: 't', agent: 'bot', status: 'pending' } as unknown as Action;
  const reads: { status: string; finished: boolean; finish: () => void }[] = [];
  const listeners = new Set<() => void>();
  const store = {
    get: () =>
      new Promise<Action>((resolve) => {
        const snapshot = { ...action };
        const read = { status: snapshot.status, finished: false, finish: () => ((read.finished = true), resolve(snapshot)) };
        reads.push(read);
      }),
  } as unknown as ActionStore;
  const events: ActionEvents = {
    waitForChange: (_id, timeoutMs, signal) =>
      new Promise<void>((resolve) => {
        const done = () => {
          listeners.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        signal?.addEventListener('abort', done, { once: true });
        listeners.add(done);
      }),
  };
  return {
    watches: new ActionWatches({ store, events }),
    reads,
    set: (status: string) => (action = { ...action, status } as Action),
    notify: () => [...listeners].forEach((l) => l()),
    /** Lets every read started (and every read those start) finish. */
    async settle() {
      for (let quiet = 0; quiet < 3; ) {
        await tick();
        const open = reads.filter((r) => !r.finished);
        if (open.length === 0) quiet++;
        else open.forEach((r) => r.finish());
      }
    },
  };
}

describe('ActionWatches', () => {
  it('serves every waiter of an action from one read per change', async () => {
    const f = fixture();
    const waits = Array.from({ length: 50 }, () => f.watches.wait('t', 'bot', 'a1', 10_000));
    await f.settle();
    // The first waiter's read, and one for the 49 that arrived while it ran.
    expect(f.reads.length).toBe(2);
    f.set('approved');
    f.notify();
    await f.settle();
    expect(f.reads.map((r) => r.status)).toEqual(['pending', 'pending', 'approved']);
    expect((await Promise.all(waits)).map((a) => a?.status)).toEqual(Array(50).fill('approved'));
  });

  it('never hands a waiter a read that started before it arrived', async () => {
    const f = fixture();
    const first = f.watches.wait('t', 'bot', 'a1', 10_000);
    await tick();
    // The action is decided while the first read is in flight, and a second waiter arrives.
    f.set('denied');
    const second = f.watches.wait('t', 'bot', 'a1', 10_000);
    f.reads[0]!.finish();
    await tick();
    // The first read (pending) served the first waiter only; the second waiter's own read started at once.
    expect(f.reads.map((r) => r.status)).toEqual(['pending', 'denied']);
    await f.settle();
    expect((await second)?.status).toBe('denied');
    expect((await first)?.status).toBe('denied');
  });

  it('answers with the action as last read when the time is up or the request ends, without another read', async () => {
    const f = fixture();
    const ac = new AbortController();
    const timed = f.watches.wait('t', 'bot', 'a1', 50);
    const aborted = f.watches.wait('t', 'bot', 'a1', 10_000, ac.signal);
    await f.settle();
    const reads = f.reads.length;
    ac.abort();
    expect((await aborted)?.status).toBe('pending');
    expect((await timed)?.status).toBe('pending');
    expect(f.reads).toHaveLength(reads);
  });

  it('answers another agent at once as if the action did not exist', async () => {
    const f = fixture();
    const theirs = f.watches.wait('t', 'other-bot', 'a1', 10_000);
    await f.settle();
    expect(await theirs).toBeUndefined();
  });
});
