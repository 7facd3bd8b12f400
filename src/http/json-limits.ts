/**
 * The most work one JSON value of a request (`args`, `context`, a result's
 * `args`) may cause. Everything after validation (canonical JSON, digests,
 * redaction, CEL, args_schema, JSONB) costs time per entry and per character
 * on the one main thread, so a value is refused before any of it runs.
 */
export interface JsonLimits {
  /** Objects and arrays nested inside one another. */
  depth: number;
  /** Object keys plus array elements, at every level together. */
  entries: number;
  /** Elements of any one array. */
  arrayLength: number;
  /** Characters (UTF-16 code units) of any one string value. */
  stringLength: number;
  /** Characters of any one object key. */
  keyLength: number;
}

/**
 * The first limit `value` breaks, as a message; undefined when it keeps them all.
 * Iterative, so a hostile body of brackets cannot overflow the stack (JSON.parse
 * accepts 1 MB of them; JSON.stringify and Postgres would not), and it stops
 * at the first entry over a limit, so refusing 60,000 keys costs no more than
 * counting to the limit.
 */
export function jsonLimitViolation(value: unknown, limits: JsonLimits): string | undefined {
  let entries = 0;
  // Two parallel stacks rather than one of pairs: no allocation per entry.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (v.length > limits.stringLength) return `has a string longer than ${limits.stringLength} characters`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limits.depth) return `nested deeper than ${limits.depth} levels`;
    if (Array.isArray(v)) {
      if (v.length > limits.arrayLength) return `has an array longer than ${limits.arrayLength} elements`;
      entries += v.length;
      if (entries > limits.entries) return `has more than ${limits.entries} keys and array elements in all`;
      for (const child of v) {
        values.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    // for…in rather than Object.keys: no array of every key is built before the count stops.
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      if (++entries > limits.entries) return `has more than ${limits.entries} keys and array elements in all`;
      if (key.length > limits.keyLength) return `has a key longer than ${limits.keyLength} characters`;
      values.push((v as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return undefined;
}
