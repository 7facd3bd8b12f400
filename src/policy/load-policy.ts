import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { canonicalJson, sha256Hex } from '../domain/canonical-json.js';
import { parseDuration } from '../domain/duration.js';
import { AirlockError, type ErrorDetail } from '../domain/errors.js';
import type { CompiledCondition, Policy, TenantPolicy, ToolPolicy } from '../domain/policy-model.js';
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
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    throw invalid([...details, ...celErrors(raw)]);
  }
  const file = parsed.data;
  const details = celErrors(file);
  const tools: Record<string, ToolPolicy> = {};
  for (const [name, t] of Object.entries(file.tools)) {
    const when: CompiledCondition[] = details.length > 0 ? [] : t.when.map((w) => compileCondition(w.if, w.then));
    tools[name] = {
      name,
      owner: t.owner,
      risk: t.risk,
      effects: t.effects,
      mode: t.mode,
      safestMode: t.safest_mode,
      when,
      consequence: t.consequence,
      redact: t.redact,
      approval: t.approval && {
        reviewers: t.approval.reviewers,
        required: t.approval.required,
        timeoutMs: parseDuration(t.approval.timeout)!,
        onTimeout: t.approval.on_timeout,
        escalateTo: t.approval.escalate_to,
        remindAfterMs: t.approval.remind_after === undefined ? undefined : parseDuration(t.approval.remind_after),
        editable: t.approval.editable,
      },
    };
  }
  if (details.length > 0) throw invalid(details);
  return { fileVersion: sha256Hex(canonicalJson(file)).slice(0, 12), tenants: toTenants(file), tools };
}

export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AirlockError('policy_invalid', `cannot read policy file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return parsePolicy(text);
}

/** Compiles every `when.if` it can find, so CEL mistakes are listed alongside schema errors. */
function celErrors(raw: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const tools = (raw as { tools?: unknown }).tools;
  if (!tools || typeof tools !== 'object') return details;
  for (const [name, tool] of Object.entries(tools as Record<string, { when?: unknown } | null>)) {
    if (!Array.isArray(tool?.when)) continue;
    tool.when.forEach((w: { if?: unknown } | null, i: number) => {
      if (typeof w?.if !== 'string') return;
      try {
        compileCondition(w.if, 'deny');
      } catch (err) {
        details.push({ path: `tools.${name}.when.${i}.if`, message: `invalid CEL: ${(err as Error).message.split('\n')[0]}` });
      }
    });
  }
  return details;
}

function toTenants(file: PolicyFile): Record<string, TenantPolicy> {
  const out: Record<string, TenantPolicy> = {};
  for (const [id, t] of Object.entries(file.tenants)) {
    out[id] = {
      id,
      slackTeamId: t.slack?.team_id,
      teamsTenantId: t.teams?.tenant_id,
      teamsServiceUrl: t.teams?.service_url,
      admins: t.admins,
      agents: t.agents,
      reviewerGroups: Object.fromEntries(
        Object.entries(t.reviewer_groups).map(([name, g]) => [
          name,
          {
            name,
            maxPending: g.max_pending,
            slack: g.slack && { channel: g.slack.channel, users: g.slack.users, usergroup: g.slack.usergroup },
            teams: g.teams && { conversationId: g.teams.conversation_id, users: g.teams.users },
          },
        ]),
      ),
    };
  }
  return out;
}

const invalid = (details: ErrorDetail[]) =>
  new AirlockError('policy_invalid', `policy is invalid (${details.length} error${details.length === 1 ? '' : 's'})`, { details });
