import type { ArgsChange, ArgsEdit } from './action.js';
import type { ArgsDigests } from './args-digest.js';
import { canonicalJson } from './canonical-json.js';
import { getPath, parsePath, pathsOverlap } from './paths.js';
import { redactArgs } from './redact.js';

export type { ArgsChange, ArgsEdit };

const MAX_EDIT_DEPTH = 32;

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
const kindOf = (v: unknown): JsonKind =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');

/**
 * Applies a reviewer's edits (raw text per editable path, as typed in a form)
 * to the current arguments. Only listed editable paths, never a redacted one;
 * a value keeps its JSON type (a number stays a number: typed as JSON; a
 * string stays text); a path that had no value takes text. Returns the new
 * arguments and what changed, or why the edit is refused.
 */
export function applyEdits(
  current: Record<string, unknown>,
  edits: Record<string, string>,
  rules: { editable: readonly string[]; redact: readonly string[] },
): { args: Record<string, unknown>; changes: ArgsChange[] } | { error: string } {
  const out = structuredClone(current);
  const changes: ArgsChange[] = [];
  for (const [path, raw] of Object.entries(edits)) {
    if (!rules.editable.includes(path)) return { error: `${path} is not editable for this tool.` };
    if (rules.redact.some((r) => pathsOverlap(r, path))) return { error: `${path} holds a redacted value, which cannot be edited.` };
    const segs = parsePath(path);
    const parent = getPath(out, segs.slice(0, -1));
    if (parent === null || typeof parent !== 'object') return { error: `${path} does not exist in the arguments.` };
    const last = segs[segs.length - 1]!;
    if (Array.isArray(parent) && !/^\d+$/.test(last)) return { error: `${path} does not exist in the arguments.` };
    const from = getPath(parent, [last]);
    const parsed = parseTyped(raw, from);
    if ('error' in parsed) return { error: `${path}: ${parsed.error}` };
    if (from !== undefined && canonicalJson(from) === canonicalJson(parsed.value)) continue;
    (parent as Record<string, unknown>)[last] = parsed.value;
    changes.push({ path, ...(from === undefined ? {} : { from }), to: parsed.value });
  }
  return { args: out, changes };
}

function parseTyped(raw: string, current: unknown): { value: unknown } | { error: string } {
  const kind = current === undefined ? 'string' : kindOf(current);
  if (kind === 'string') return { value: raw };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { error: `must be ${article(kind)} written as JSON (it is ${article(kind)} now).` };
  }
  if (kind !== 'null' && kindOf(value) !== kind) return { error: `must stay ${article(kind)} (got ${article(kindOf(value))}).` };
  if (!nestsAtMost(value, MAX_EDIT_DEPTH)) return { error: `nests deeper than ${MAX_EDIT_DEPTH} levels.` };
  return { value };
}

const article = (k: JsonKind) => (k === 'array' || k === 'object' ? `an ${k}` : k === 'null' ? 'null' : `a ${k}`);

function nestsAtMost(value: unknown, max: number, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth >= max) return false;
  return Object.values(value).every((v) => nestsAtMost(v, max, depth + 1));
}

/**
 * Checks the arguments an agent reports it executed against what was bound:
 * the submitted arguments with every approved edit applied. Airlock keeps no
 * redacted value, so the check has two halves, which together hold exactly
 * when `executed` equals the bound arguments: its redacted view must equal
 * the bound version's view, and with the edited paths put back as they were
 * submitted it must match the keyed digest of the submitted arguments.
 */
export function checkExecutedArgs(input: {
  executed: Record<string, unknown>;
  /** The bound version's redacted view (the submitted view when never edited). */
  view: Record<string, unknown>;
  submittedView: Record<string, unknown>;
  edits: readonly ArgsEdit[];
  redact: readonly string[];
  submittedDigest: string;
  digests: ArgsDigests;
}): { ok: true } | { ok: false; differs: string[]; redactedDiffers: boolean } {
  const executedView = redactArgs(input.executed, [...input.redact]);
  const differs = diffPaths(executedView, input.view);
  const reverted = structuredClone(input.executed);
  for (const path of new Set(input.edits.flatMap((e) => e.changes.map((c) => c.path)))) {
    const segs = parsePath(path);
    const original = getPath(input.submittedView, segs);
    const parent = getPath(reverted, segs.slice(0, -1));
    if (parent === null || typeof parent !== 'object') continue;
    const last = segs[segs.length - 1]!;
    if (original === undefined) delete (parent as Record<string, unknown>)[last];
    else (parent as Record<string, unknown>)[last] = structuredClone(original);
  }
  const redactedDiffers = differs.length === 0 && input.digests.submitted(reverted) !== input.submittedDigest;
  return differs.length === 0 && !redactedDiffers ? { ok: true } : { ok: false, differs, redactedDiffers };
}

/** Dotted paths where two JSON values differ (at most `max`), for a violation message. */
export function diffPaths(a: unknown, b: unknown, max = 20, prefix = ''): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const objects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!objects) return [prefix || '(arguments)'];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    if (out.length >= max) break;
    out.push(...diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], max - out.length, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}
