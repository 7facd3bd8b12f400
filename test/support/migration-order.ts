/**
 * Landed out of order before the rule was checked: a fresh database applies
 * them by number, while databases upgraded at the time applied them in the
 * order they landed. Each is independent of the ones it passed, so both orders
 * give the same schema; no migration may join this list.
 */
export const LANDED_OUT_OF_ORDER = new Set([
  '0010_audit_anchoring.sql',
  '0011_audit_data_as_text.sql',
  '0013_agent_keys.sql',
  '0007_args_versions.sql',
  '0008_cards_per_platform.sql',
]);

/**
 * What is wrong with a migration history (the files in the order they landed)
 * against the files on disk: the migrator applies files by number, so a file
 * numbered below one that already landed would run in a different order on a
 * fresh database than on an upgraded one.
 */
export function migrationOrderProblems(history: string[], onDisk: string[]): string[] {
  const problems: string[] = [];
  const listed = new Set(history);
  for (const file of onDisk) {
    if (!listed.has(file)) problems.push(`${file} is not in migrations/history.txt: append it there`);
  }
  const present = new Set(onDisk);
  for (const file of history) {
    if (!present.has(file)) problems.push(`${file} is in migrations/history.txt but not on disk: a landed migration is never removed`);
  }
  let highest = '';
  for (const file of history) {
    const number = file.slice(0, 4);
    if (number <= highest && !LANDED_OUT_OF_ORDER.has(file)) {
      problems.push(`${file} is numbered ${number}, not above ${highest} that landed before it: renumber it above every migration`);
    }
    if (number > highest) highest = number;
  }
  const numbers = onDisk.map((f) => f.slice(0, 4));
  for (const n of new Set(numbers)) {
    if (numbers.filter((m) => m === n).length > 1) problems.push(`two migrations share the number ${n}`);
  }
  return problems;
}
