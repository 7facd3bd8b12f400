/**
 * Action ids are UUIDs, and a person copies the start of one (as `review
 * list` prints it). The ids that start with a prefix are one contiguous range
 * of UUIDs, so a store can find them with its primary key instead of scanning.
 */
const HEX = /^[0-9a-f]*$/;
const GROUPS = [8, 4, 4, 4, 12];

const asUuid = (hex: string): string => {
  const parts: string[] = [];
  let at = 0;
  for (const n of GROUPS) {
    parts.push(hex.slice(at, at + n));
    at += n;
  }
  return parts.join('-');
};

/** The first and last UUID that start with `prefix` (any letter case), or undefined when no UUID can start with it. */
export function actionIdRange(prefix: string): { from: string; to: string } | undefined {
  const wanted = prefix.trim().toLowerCase();
  const hex = wanted.replaceAll('-', '');
  if (wanted.length === 0 || hex.length > 32 || !HEX.test(hex)) return undefined;
  const from = asUuid(hex.padEnd(32, '0'));
  // Dashes only where a UUID has them: `1234-` is no UUID's start.
  if (!from.startsWith(wanted)) return undefined;
  return { from, to: asUuid(hex.padEnd(32, 'f')) };
}
