/**
 * Dotted argument paths as the policy writes them (`attachments.*.content`):
 * `*` matches every key of an object or every index of an array.
 */
export const parsePath = (path: string): string[] => path.split('.').filter((s) => s.length > 0);

export function getPath(value: unknown, path: string[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
