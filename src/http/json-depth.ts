/**
 * True when `value` nests objects/arrays no deeper than `max`. Iterative, so a
 * hostile 1 MB body of brackets cannot overflow the stack here (JSON.parse
 * accepts it; JSON.stringify and Postgres would not).
 */
export function nestsAtMost(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return true;
}
