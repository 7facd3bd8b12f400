import { getPath, parsePath } from './paths.js';
import { REDACTED } from './redact.js';

/** `{{ path }}` placeholders; a policy check refuses any whose root is not in `CONSEQUENCE_SCOPE`. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** What a consequence template can name: `args.*`, `context.*`, `requester.*` and the plain request fields. */
export const CONSEQUENCE_SCOPE = ['args', 'context', 'requester', 'workflow', 'environment', 'tool', 'agent', 'tenant'] as const;
const MAX_VALUE = 200;
const MAX_OUTPUT = 2000;

/**
 * Renders a tool's `consequence` template against the (already redacted)
 * request. Never throws, whatever the request holds: an absent value renders
 * as `?`, objects and arrays as compact JSON, every value is cut to 200
 * characters, so a card never shows template syntax and a request never
 * turns into a 500.
 */
export function renderConsequence(template: string | undefined, scope: Record<string, unknown>): string | undefined {
  if (!template) return undefined;
  const text = template.replace(PLACEHOLDER, (_, path: string) => show(getPath(scope, parsePath(path))));
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT - 1)}…` : text;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '?';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? '?';
    } catch {
      text = '?';
    }
  }
  if (text === REDACTED) return REDACTED;
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
