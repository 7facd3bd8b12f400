import { getPath, parsePath } from './paths.js';
import { REDACTED } from './redact.js';

/** `{{ path }}` placeholders; a policy check refuses any whose root is not in `CONSEQUENCE_SCOPE`. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** Roots that hold an object, named with a path below them: `{{args.to}}`. */
export const CONSEQUENCE_OBJECTS = ['args', 'context', 'requester'] as const;
/** Roots that are one plain request field: `{{tool}}`. */
const CONSEQUENCE_FIELDS = ['workflow', 'environment', 'tool', 'agent', 'tenant'] as const;
/** Every root a consequence template can name: what a policy check accepts is what rendering fills. */
export const CONSEQUENCE_SCOPE = [...CONSEQUENCE_OBJECTS, ...CONSEQUENCE_FIELDS] as const;

/**
 * The values a template renders against. Every root is a required key (its
 * value may be absent, e.g. no workflow), so a caller cannot leave one out and
 * have a placeholder that passed the policy check show `?` on every card.
 */
export type ConsequenceScope = { readonly [K in (typeof CONSEQUENCE_SCOPE)[number]]: unknown };

/** The scope of an action or request: its own fields, with `args` as given (pass the redacted view). */
export function consequenceScope(request: {
  tenant: string;
  agent: string;
  tool: string;
  workflow?: string;
  environment: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  requester: object;
}): ConsequenceScope {
  const { tenant, agent, tool, workflow, environment, args, context, requester } = request;
  return { tenant, agent, tool, workflow, environment, args, context, requester };
}

const MAX_VALUE = 200;
const MAX_OUTPUT = 2000;

/**
 * Renders a tool's `consequence` template against the (already redacted)
 * request. Never throws, whatever the request holds: an absent value renders
 * as `?`, objects and arrays as compact JSON, every value is cut to 200
 * characters, so a card never shows template syntax and a request never
 * turns into a 500.
 */
export function renderConsequence(template: string | undefined, scope: ConsequenceScope): string | undefined {
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
