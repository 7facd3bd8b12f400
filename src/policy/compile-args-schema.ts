import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { ArgsIssue } from '../domain/policy-model.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

/**
 * One ajv instance for every tool's `args_schema`. Strict mode refuses
 * unknown keywords and formats, so a typo in a schema is a `policy check`
 * error rather than a check that silently passes everything.
 */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

const MAX_ISSUES = 20;

/** Compiles a tool's `args_schema` once; throws with ajv's message when the schema itself is invalid. */
export function compileArgsSchema(schema: Record<string, unknown>): (args: unknown) => ArgsIssue[] {
  const validate = ajv.compile(schema);
  return (args) => (validate(args) ? [] : (validate.errors ?? []).slice(0, MAX_ISSUES).map(toIssue));
}

function toIssue(e: ErrorObject): ArgsIssue {
  const segments = e.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
  if (missing) segments.push(missing);
  const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty?: string }).additionalProperty : undefined;
  if (extra) segments.push(extra);
  return { path: segments.join('.'), message: missing ? 'is required' : extra ? 'is not allowed' : (e.message ?? 'is invalid') };
}
