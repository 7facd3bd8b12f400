import { parsePath } from './paths.js';

/** Thrown when a condition reads an argument that was redacted before it was recorded. */
export class RedactedValueRead extends Error {
  constructor() {
    super('reads a redacted argument');
  }
}

/**
 * Replaces, in place, every value at a `redact` path of recorded arguments by
 * one that calls `onRead` and throws when read. A recorded request holds only
 * a marker there, so a condition that reads it cannot be judged: the caller
 * counts the request as undetermined instead of guessing. The keys stay, so
 * what a condition learns from a key's presence alone is still known.
 */
export function guardRedacted(args: Record<string, unknown>, paths: readonly string[], onRead: () => void): void {
  for (const path of paths) guard(args, parsePath(path), onRead);
}

function guard(node: unknown, path: string[], onRead: () => void): void {
  if (node === null || typeof node !== 'object' || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  const container = node as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : Object.hasOwn(container, head) ? [head] : [];
  for (const key of keys) {
    if (rest.length > 0) {
      guard(container[key], rest, onRead);
      continue;
    }
    Object.defineProperty(container, key, {
      enumerable: true,
      configurable: true,
      get() {
        onRead();
        throw new RedactedValueRead();
      },
    });
  }
}
