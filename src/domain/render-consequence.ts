import { getPath, parsePath } from './paths.js';
import { REDACTED } from './redact.js';

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_.*-]+)\s*\}\}/g;
const MAX_VALUE = 200;

/**
 * Renders a tool's `consequence` template against the (already redacted)
 * request. Unknown placeholders render as `?` so a card never shows template
 * syntax; objects render as compact JSON, truncated.
 */
export function renderConsequence(template: string | undefined, scope: Record<string, unknown>): string | undefined {
  if (!template) return undefined;
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const value = getPath(scope, parsePath(path));
    if (value === undefined || value === null) return '?';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === REDACTED) return REDACTED;
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
  });
}
