import { RESERVED_NAMES } from './names.js';

/**
 * Dotted argument paths as the policy writes them (`attachments.*.content`):
 * `*` matches every key of an object or every index of an array. Segments are
 * plain words, so a path can never reach `__proto__` or an inherited member.
 */
const SEGMENT = /^(\*|[A-Za-z0-9_-]{1,128})$/;

export const parsePath = (path: string): string[] => path.split('.');

/** Why a policy path is unusable, or undefined when it is fine. `wildcards` allows `*` segments (redact does, editable does not). */
export function pathProblem(path: string, opts: { wildcards: boolean }): string | undefined {
  const segs = path.split('.');
  if (path.length === 0 || path.length > 512) return 'must be 1 to 512 characters';
  for (const seg of segs) {
    if (seg.length === 0) return 'has an empty segment (leading, trailing or doubled dot)';
    if (!SEGMENT.test(seg)) return `segment "${seg.slice(0, 40)}" must be * or letters, digits, _ and -`;
    if (RESERVED_NAMES.has(seg)) return `segment "${seg}" is reserved`;
    if (seg === '*' && !opts.wildcards) return 'may not contain *';
  }
  if (segs[0] === '*') return 'may not start with * (that would cover every argument)';
  return undefined;
}

/** The value at `path`, reading own properties only (an array by index); undefined when absent. */
export function getPath(value: unknown, path: string[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      if (!Object.hasOwn(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

/**
 * True when two policy paths can name the same value or one contains the
 * other (`body` and `body.text`, `attachments.*.content` and `attachments.0`).
 */
export function pathsOverlap(a: string, b: string): boolean {
  const x = parsePath(a);
  const y = parsePath(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i] && x[i] !== '*' && y[i] !== '*') return false;
  }
  return true;
}
