import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Env } from '../config/env.js';
import { AirlockError } from '../domain/errors.js';
import type { Policy } from '../domain/policy-model.js';
import { PgAuditLog } from '../infra/postgres/audit-log.js';
import { payAuditDebts } from '../infra/postgres/end-pending.js';
import { OutputError } from '../infra/postgres/json-lines-writer.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { resolvePolicyPath } from '../policy/file-policy-source.js';
import { loadPolicyFile } from '../policy/load-policy.js';
import type { AuditCheckpoint } from '../ports/audit-log.js';
import { openCliPolicy } from './cli-policy.js';
import { resolveDatabase, resolveSecret } from './database.js';

export const AUDIT_USAGE = `  audit verify --tenant T [--checkpoint C]… [--since C]
                                           verify the tenant's audit chain (exit 1 naming every problem); C is a
                                           checkpoint line or a file of them: the chain must still hold each one;
                                           --since walks only what was sealed after C
  audit checkpoint --tenant T              print the chain's head as one authenticated line, to keep elsewhere
  audit export --tenant T                  write the tenant's audit events as JSON Lines, in chain order`;

const checkpointSchema = z.strictObject({
  tenant: z.string().min(1),
  block: z.number().int().min(0),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string().min(1),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A mistake in how the command was called: exit 2 with usage. */
class AuditUsageError extends Error {}

interface Io {
  out: Writable;
  err: (line: string) => void;
}

/**
 * `airlock audit verify|checkpoint|export`. Tenants are those the policy
 * declares (the server's POLICY_FILE resolution); anything else is refused
 * before the database is touched, so a typo never reads as "ok, 0 events".
 */
export async function runAudit(argv: string[], env: Env, io: Io = { out: process.stdout, err: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  try {
    return await audit(argv, env, io);
  } catch (e) {
    if (e instanceof AuditUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`airlock: ${(e as Error).message}\nusage: npm run airlock -- <command>\n${AUDIT_USAGE}`);
      return 2;
    }
    throw e;
  }
}

async function audit(argv: string[], env: Env, io: Io): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      checkpoint: { type: 'string', multiple: true },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...extra] = positionals;
  // Resolves once the line was handed to the OS: the CLI exits right after, and a pipe may be slow.
  const print = (line: string) => new Promise<void>((resolve) => io.out.write(`${line}\n`, () => resolve()));
  if (values.help) {
    await print(`usage: npm run airlock -- <command>\n${AUDIT_USAGE}`);
    return 0;
  }
  if (!sub) throw new AuditUsageError('audit needs a command: verify, checkpoint or export');
  if (!['verify', 'checkpoint', 'export'].includes(sub)) throw new AuditUsageError(`unknown command: audit ${positionals.join(' ')}`);
  if (extra.length > 0) throw new AuditUsageError(`unexpected argument: ${extra.join(' ')}`);
  const tenant = values.tenant;
  if (!tenant) throw new AuditUsageError('--tenant is required');
  if (sub !== 'verify' && (values.checkpoint || values.since)) throw new AuditUsageError('--checkpoint and --since apply to audit verify only');

  const policyPath = resolvePolicyPath(env.POLICY_FILE).path;
  const undeclared = (policy: Policy) => {
    if (policy.tenants.has(tenant)) return false;
    io.err(`airlock: tenant ${JSON.stringify(tenant)} is not declared in the policy (${policyPath}); declared: ${[...policy.tenants.keys()].join(', ') || 'none'}. To read the trail of a tenant removed from the policy, set POLICY_FILE to a policy that declares it.`);
    return true;
  };
  // An invalid file is no reason to refuse reading the trail: the policy the server runs is in the database.
  const fromFile = await loadPolicyFile(policyPath).catch((e: unknown) => {
    if (e instanceof AirlockError) return undefined;
    throw e;
  });
  if (fromFile && undeclared(fromFile)) return 1;
  const sinceFound = values.since ? await readCheckpoints([values.since], tenant) : [];
  const checkpoints = [...(await readCheckpoints(values.checkpoint ?? [], tenant)), ...sinceFound];
  const since = sinceFound.length > 0 ? latest(sinceFound) : undefined;

  return withAuditLog(env, async (audit, pool) => {
    if (!fromFile && undeclared((await openCliPolicy(policyPath, pool, (line) => io.err(`airlock: warning: ${line}`))).current())) return 1;
    await audit.seal(tenant);
    switch (sub) {
      case 'verify': {
        const result = await audit.verify(tenant, { since, checkpoints });
        for (const p of result.problems) io.err(`  ${p}`);
        await print(JSON.stringify({ tenant, ok: result.ok, checked: result.checked, unsealed: result.unsealed, problems: result.problems.length, head: result.head, ...(since ? { since: { block: since.block, seq: since.seq } } : {}) }));
        return result.ok ? 0 : 1;
      }
      case 'checkpoint':
        await print(JSON.stringify(await audit.checkpoint(tenant)));
        return 0;
      default:
        try {
          await audit.exportJsonLines(tenant, io.out);
          return 0;
        } catch (e) {
          if (!(e instanceof OutputError)) throw e;
          io.err(`airlock: audit export: ${e.message}; the export is incomplete`);
          return 1;
        }
    }
  });
}

/** Checkpoints of `tenant` from each source: a checkpoint line itself, or a file of them (one per line). */
async function readCheckpoints(sources: string[], tenant: string): Promise<AuditCheckpoint[]> {
  const found: AuditCheckpoint[] = [];
  for (const source of sources) {
    const inline = source.trimStart().startsWith('{');
    let text: string;
    try {
      text = inline ? source : await readFile(source, 'utf8');
    } catch (e) {
      throw new AuditUsageError(`cannot read checkpoint file ${source}: ${(e as Error).message}`);
    }
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    let mine = 0;
    for (const [i, line] of lines.entries()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new AuditUsageError(`${inline ? 'checkpoint' : `${source}:${i + 1}`}: not a checkpoint line (JSON printed by \`audit checkpoint\`)`);
      }
      const c = checkpointSchema.safeParse(parsed);
      if (!c.success) throw new AuditUsageError(`${inline ? 'checkpoint' : `${source}:${i + 1}`}: not a checkpoint line (${c.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')})`);
      if (c.data.tenant !== tenant) continue;
      found.push(c.data);
      mine += 1;
    }
    if (mine === 0) throw new AuditUsageError(`${inline ? 'the checkpoint given' : source} holds no checkpoint of tenant ${JSON.stringify(tenant)}`);
  }
  return found;
}

const latest = (cs: AuditCheckpoint[]): AuditCheckpoint => cs.reduce((a, b) => (b.seq > a.seq || (b.seq === a.seq && b.block > a.block) ? b : a));

async function withAuditLog<T>(env: Env, run: (audit: PgAuditLog, pool: Pool) => Promise<T>): Promise<T> {
  const log = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL }, pino.destination(2));
  const secret = await resolveSecret(env);
  const db = await resolveDatabase(env, log);
  // verify uses three: two ranges of the chain and a count of the events, in one snapshot.
  const pool = createPool(db.url, 4);
  try {
    await migrate(pool);
    // As events not yet sealed are sealed first, events an admin change still owes
    // the approvals it ended (its follow-up not yet run, or cut off) are written first.
    await payAuditDebts(pool);
    return await run(new PgAuditLog(pool, secret), pool);
  } finally {
    await pool.end();
    await db.stop();
  }
}
