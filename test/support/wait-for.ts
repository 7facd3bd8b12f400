/**
 * Polls `check` until it returns a truthy value or the deadline passes. Never a bare sleep.
 * `giveUp` is asked before every poll: a string ends the wait at once with that reason
 * (a child process that died will never answer, so waiting out the deadline only hides why).
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string; giveUp?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    const reason = opts.giveUp?.();
    if (reason) throw new Error(`gave up waiting for ${opts.what ?? 'condition'}: ${reason}`);
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
