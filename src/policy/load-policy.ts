import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.js';
import { parseDuration } from '../domain/duration.js';
import { AirlockError, type ErrorDetail } from '../domain/errors.js';
import type { CompiledCondition, Policy, RolloutStage, TenantPolicy, ToolPolicy } from '../domain/policy-model.js';
import { compileArgsSchema } from './compile-args-schema.js';
import { compileCondition } from './compile-condition.js';
import { policyFileSchema, type PolicyFile } from './schema.js';

/**
 * Parses and validates policy YAML. Every problem is reported, each with its
 * path (`tools.send_email.approval.timeout`), in one AirlockError; nothing is
 * half-loaded.
 */
export function parsePolicy(text: string): Policy {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(doc.errors.map((e) => ({ path: `line ${e.linePos?.[0].line ?? '?'}`, message: e.message.split('\n')[0] ?? e.message })));
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = policyFileSchema.safeParse(raw);
  const compiled = compileAll(parsed.success ? parsed.data : raw);
  const protoKeys = protoKeyErrors(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    throw invalid([...details, ...protoKeys, ...compiled.errors]);
  }
  if (protoKeys.length > 0 || compiled.errors.length > 0) throw invalid([...protoKeys, ...compiled.errors]);
  const file = parsed.data;
  const tools = new Map<string, ToolPolicy>();
  for (const [name, t] of Object.entries(file.tools)) {
    const checkArgs = compiled.schemas.get(name);
    tools.set(name, {
      name,
      owner: t.owner,
      ...(t.review_by ? { reviewBy: t.review_by } : {}),
      risk: t.risk,
      effects: t.effects,
      mode: t.mode,
      safestMode: t.safest_mode,
      when: (compiled.conditions.get(name) ?? []).map((c, i) => withReviewBy(c, t.when[i]?.review_by)),
      rollout: t.rollout.map((stage, i): RolloutStage => {
        const review = stage.review_by ? { reviewBy: stage.review_by } : {};
        const segment = compiled.segments.get(name)?.get(i);
        if (segment) return { kind: 'segment', condition: segment, mode: stage.mode, ...review };
        // The schema let through only the two forms: no `if` means `percent` and `by`.
        return { kind: 'slice', percent: stage.percent!, by: stage.by!, mode: stage.mode, ...review };
      }),
      consequence: t.consequence,
      redact: t.redact,
      ...(checkArgs ? { checkArgs } : {}),
      approval: t.approval && {
        reviewers: t.approval.reviewers,
        required: t.approval.required,
        timeoutMs: parseDuration(t.approval.timeout)!,
        onTimeout: t.approval.on_timeout,
        escalateTo: t.approval.escalate_to,
        remindAfterMs: t.approval.remind_after === undefined ? undefined : parseDuration(t.approval.remind_after),
        editable: t.approval.editable,
      },
    });
  }
  return { fileVersion: sha256Hex(canonicalJson(file)).slice(0, 12), tenants: toTenants(file), tools };
}

export async function loadPolicyFile(path: string): Promise<Policy> {
  return (await readPolicyFile(path)).policy;
}

/** The policy and the text it was parsed from (what a server records as its live policy). */
export interface LoadedPolicy {
  policy: Policy;
  text: string;
}

export async function readPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AirlockError('policy_invalid', `cannot read policy file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return { policy: parsePolicy(text), text };
}

const withReviewBy = (c: CompiledCondition, reviewBy: string | undefined): CompiledCondition => (reviewBy ? { ...c, reviewBy } : c);

/**
 * Compiles every `when.if`, rollout `if` and `args_schema` it can find, even
 * in a file that failed validation, so CEL and schema mistakes are listed
 * alongside the rest.
 */
function compileAll(raw: unknown) {
  const errors: ErrorDetail[] = [];
  const conditions = new Map<string, CompiledCondition[]>();
  /** Per tool, the compiled segment of each rollout stage that has an `if`, by stage index. */
  const segments = new Map<string, Map<number, CompiledCondition>>();
  const schemas = new Map<string, NonNullable<ToolPolicy['checkArgs']>>();
  const tools = (raw as { tools?: unknown }).tools;
  if (!tools || typeof tools !== 'object') return { errors, conditions, segments, schemas };
  for (const [name, tool] of Object.entries(tools as Record<string, { when?: unknown; rollout?: unknown; args_schema?: unknown } | null>)) {
    const compiledWhen: CompiledCondition[] = [];
    if (Array.isArray(tool?.when)) {
      tool.when.forEach((w: { if?: unknown; then?: unknown } | null, i: number) => {
        if (typeof w?.if !== 'string') return;
        try {
          compiledWhen.push(compileCondition(w.if, w.then as CompiledCondition['then']));
        } catch (err) {
          errors.push({ path: `tools.${name}.when.${i}.if`, message: `invalid CEL: ${(err as Error).message.split('\n')[0]}` });
        }
      });
    }
    conditions.set(name, compiledWhen);
    const compiledSegments = new Map<number, CompiledCondition>();
    if (Array.isArray(tool?.rollout)) {
      tool.rollout.forEach((stage: { if?: unknown; mode?: unknown } | null, i: number) => {
        if (typeof stage?.if !== 'string') return;
        try {
          compiledSegments.set(i, compileCondition(stage.if, stage.mode as CompiledCondition['then']));
        } catch (err) {
          errors.push({ path: `tools.${name}.rollout.${i}.if`, message: `invalid CEL: ${(err as Error).message.split('\n')[0]}` });
        }
      });
    }
    segments.set(name, compiledSegments);
    const schema = tool?.args_schema;
    if (schema && typeof schema === 'object' && !Array.isArray(schema)) {
      try {
        schemas.set(name, compileArgsSchema(schema as Record<string, unknown>));
      } catch (err) {
        errors.push({ path: `tools.${name}.args_schema`, message: `invalid JSON Schema: ${(err as Error).message.split('\n')[0]}` });
      }
    }
  }
  return { errors, conditions, segments, schemas };
}

/**
 * zod drops a `__proto__` key of a record without a word, and the YAML parser
 * keeps it as an own key: refuse it by path like any other reserved name.
 */
function protoKeyErrors(raw: unknown): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const check = (map: unknown, path: string) => {
    if (map && typeof map === 'object' && Object.hasOwn(map, '__proto__')) errors.push({ path: `${path}__proto__`, message: 'invalid name: "__proto__" is reserved' });
  };
  const file = raw as { tenants?: Record<string, { agents?: unknown; reviewer_groups?: unknown } | null>; tools?: unknown };
  check(file, '');
  check(file.tenants, 'tenants.');
  check(file.tools, 'tools.');
  for (const [id, t] of Object.entries(file.tenants && typeof file.tenants === 'object' ? file.tenants : {})) {
    check(t?.agents, `tenants.${id}.agents.`);
    check(t?.reviewer_groups, `tenants.${id}.reviewer_groups.`);
  }
  return errors;
}

function toTenants(file: PolicyFile): Map<string, TenantPolicy> {
  const out = new Map<string, TenantPolicy>();
  for (const [id, t] of Object.entries(file.tenants)) {
    out.set(id, {
      id,
      ...(t.identity
        ? {
            identity: {
              ...(t.identity.issuer ? { issuer: t.identity.issuer } : {}),
              ...(t.identity.audience ? { audience: t.identity.audience } : {}),
              ...(t.identity.groups_claim ? { groupsClaim: t.identity.groups_claim } : {}),
              ...(t.identity.mfa ? { mfa: t.identity.mfa } : {}),
            },
          }
        : {}),
      console: { auditors: t.console.auditors ?? nobody(), admins: t.console.admins ?? nobody() },
      // The policy file's platform keys become entries keyed by platform name.
      workspaces: new Map([
        ...(t.slack ? [['slack', { id: t.slack.team_id }] as const] : []),
        ...(t.teams ? [['teams', { id: t.teams.tenant_id, endpoint: t.teams.service_url }] as const] : []),
      ]),
      admins: new Map(Object.entries(t.admins)),
      environments: new Set(t.environments),
      agents: new Map(
        Object.entries(t.agents).map(([name, a]) => [
          name,
          {
            tools: new Set(a.tools),
            ...(a.environments ? { environments: new Set(a.environments) } : {}),
            ...(a.mcp?.hide_unregistered_tools ? { hideUnregisteredTools: true } : {}),
          },
        ]),
      ),
      reviewerGroups: new Map(
        Object.entries(t.reviewer_groups).map(([name, g]) => [
          name,
          {
            name,
            maxPending: g.max_pending,
            ...(g.console ? { console: g.console } : {}),
            chat: new Map([
              ...(g.slack ? [['slack', { place: g.slack.channel, users: g.slack.users, ...(g.slack.usergroup ? { usergroup: g.slack.usergroup } : {}) }] as const] : []),
              ...(g.teams ? [['teams', { place: g.teams.conversation_id, users: g.teams.users }] as const] : []),
            ]),
          },
        ]),
      ),
    });
  }
  return out;
}

const nobody = () => ({ users: [], groups: [] });

const invalid = (details: ErrorDetail[]) =>
  new AirlockError('policy_invalid', `policy is invalid (${details.length} error${details.length === 1 ? '' : 's'})`, { details });
