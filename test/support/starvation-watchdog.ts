import { Worker } from 'node:worker_threads';

/**
 * Ends this test process if its event loop stops turning for `limitMs`: a
 * starved loop runs no test timeout, so without this a regression would hang
 * the whole run instead of failing it. A thread of its own watches a
 * heartbeat the main loop writes; vitest then reports the file's process as
 * having exited unexpectedly. Returns a function that stops watching.
 */
export function watchForStarvation(limitMs = 15_000): () => void {
  const beat = new Int32Array(new SharedArrayBuffer(4));
  const heartbeat = setInterval(() => Atomics.add(beat, 0, 1), 100);
  heartbeat.unref();
  const watcher = new Worker(
    `const { workerData } = require('node:worker_threads');
     const beat = new Int32Array(workerData.buffer);
     let last = Atomics.load(beat, 0);
     let since = Date.now();
     setInterval(() => {
       const now = Atomics.load(beat, 0);
       if (now !== last) { last = now; since = Date.now(); return; }
       if (Date.now() - since > workerData.limitMs) {
         process.stderr.write('event loop starved for ' + workerData.limitMs + ' ms: ending the test process\\n');
         process.kill(process.pid, 'SIGKILL');
       }
     }, 500);`,
    { eval: true, workerData: { buffer: beat.buffer, limitMs } },
  );
  watcher.unref();
  return () => {
    clearInterval(heartbeat);
    void watcher.terminate();
  };
}
