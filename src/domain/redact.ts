import { parsePath } from './paths.js';

export const REDACTED = '[redacted]';

/**
 * Returns a deep copy of `args` with every value at a `redact` path replaced by
 * a marker. Used before anything is stored, rendered on a card or logged, so
 * the original value only ever lives in the request's memory.
 */
export function redactArgs(args: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const copy = structuredClone(args);
  for (const path of paths) mask(copy, parsePath(path));
  return copy;
}

function mask(node: unknown, path: string[]): void {
  if (node === null || typeof node !== 'object' || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  const container = node as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : Object.hasOwn(container, head) ? [head] : [];
  for (const key of keys) {
    if (rest.length === 0) container[key] = REDACTED;
    else mask(container[key], rest);
  }
}
