import { inspect } from 'node:util';

/**
 * Whatever was thrown, as a message a person can act on. Some libraries reject
 * with `undefined`, a string or a plain object, and Node's connection errors
 * can be an AggregateError with an empty message.
 */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(describeError).join('; ') || err.name;
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  if (err === undefined || err === null) return `failed without saying why (rejected with ${String(err)})`;
  if (typeof err === 'string') return err;
  return inspect(err, { breakLength: Infinity, depth: 2 });
}
