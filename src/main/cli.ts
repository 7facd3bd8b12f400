import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { runAdmin } from './admin-cli.js';
import { AUDIT_USAGE, runAudit } from './audit-cli.js';
import { pino } from 'pino';
import { ConfigError, loadEnv, type Env } from '../config/env.js';
import { AirlockError } from '../domain/errors.js';
import { PgAgentStore } from '../infra/postgres/agent-repository.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { FilePolicySource, resolvePolicyPath } from '../policy/file-policy-source.js';
import { policyJsonSchema } from '../policy/json-schema.js';
import { loadPolicyFile } from '../policy/load-policy.js';
import { makeCreateAgent } from '../usecases/create-agent.js';
import { resolveDatabase } from './database.js';

const USAGE = `usage: npm run airlock -- <command>
  migrate                                  apply database migrations
  policy check <file>                      validate a policy file; exits 1 listing every error
  policy schema                            print the policy file's JSON Schema
  agent create --tenant T --name N         issue an agent key (printed once, as one JSON line)
${AUDIT_USAGE}
  admin --tenant T [--as NAME] <command>   run an admin command (deny-tool, allow-tool, incident on|off,
                                           kill-agent, revive-agent, mode, status, pending, help) when chat is down`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Database-backed commands share this: embedded Postgres when DATABASE_URL is unset, migrated. */
async function withDatabase<T>(env: Env, run: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const log = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL }, pino.destination(2));
  const db = await resolveDatabase(env, log);
  const pool = createPool(db.url, 4);
  try {
    await migrate(pool);
    return await run(pool);
  } finally {
    await pool.end();
    await db.stop();
  }
}

function requireFlag(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

class UsageError extends Error {}

export async function runCli(argv: string[], env: Env): Promise<number> {
  if (argv[0] === 'audit') return runAudit(argv.slice(1), env);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, name: { type: 'string' }, as: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  if (cmd === 'admin') {
    const tenant = requireFlag(values, 'tenant');
    const reply = await runAdmin(env, { platform: 'cli', operator: (values.as as string | undefined) ?? userInfo().username, tenant }, positionals.slice(1).join(' '));
    (reply.ok ? out : err)(reply.text);
    return reply.ok ? 0 : 1;
  }
  switch (`${cmd} ${sub ?? ''}`.trim()) {
    case 'migrate': {
      const applied = await withDatabase(env, migrate);
      out(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'policy check': {
      if (!arg) throw new UsageError('policy check needs a file');
      try {
        const p = await loadPolicyFile(arg);
        out(`${arg}: ok (version ${p.fileVersion}, ${Object.keys(p.tenants).length} tenants, ${Object.keys(p.tools).length} tools)`);
        return 0;
      } catch (e) {
        if (!(e instanceof AirlockError)) throw e;
        err(`${arg}: ${e.message}`);
        for (const d of e.details) err(`  ${d.path}: ${d.message}`);
        return 1;
      }
    }
    case 'policy schema':
      out(JSON.stringify(policyJsonSchema(), null, 2));
      return 0;
    case 'agent create': {
      const tenant = requireFlag(values, 'tenant');
      const name = requireFlag(values, 'name');
      const policy = await FilePolicySource.open(resolvePolicyPath(env.POLICY_FILE).path);
      const created = await withDatabase(env, (pool) => makeCreateAgent({ agents: new PgAgentStore(pool), policy })(tenant, name));
      out(JSON.stringify(created));
      return 0;
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.ts');
if (isMain) {
  (async () => {
    let env: Env;
    try {
      env = loadEnv();
    } catch (e) {
      if (e instanceof ConfigError) {
        err(`airlock: ${e.message}`);
        return 1;
      }
      throw e;
    }
    try {
      return await runCli(process.argv.slice(2), env);
    } catch (e) {
      if (e instanceof UsageError) {
        err(`airlock: ${e.message}\n${USAGE}`);
        return 2;
      }
      if (e instanceof AirlockError) {
        err(`airlock: ${e.message}`);
        for (const d of e.details) err(`  ${d.path}: ${d.message}`);
        return 1;
      }
      if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        err(`airlock: ${e.message}\n${USAGE}`);
        return 2;
      }
      err(`airlock: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  })().then((code) => process.exit(code));
}
