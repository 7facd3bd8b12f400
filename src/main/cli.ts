import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { AUDIT_USAGE, runAudit } from './audit-cli.js';
import { ConfigError, loadEnv, type Env } from '../config/env.js';
import { parseDuration } from '../domain/duration.js';
import { AirlockError } from '../domain/errors.js';
import type { Policy } from '../domain/policy-model.js';
import { toTerminalText } from '../domain/terminal-text.js';
import { PgAgentStore } from '../infra/postgres/agent-repository.js';
import { migrate } from '../infra/postgres/migrate.js';
import { createPool } from '../infra/postgres/pool.js';
import { FilePolicySource, resolvePolicyPath } from '../policy/file-policy-source.js';
import { policyJsonSchema } from '../policy/json-schema.js';
import { loadPolicyFile } from '../policy/load-policy.js';
import type { KeyOperator } from '../usecases/agent-keys.js';
import { makeCreateAgent } from '../usecases/create-agent.js';
import { makeListAgents } from '../usecases/list-agents.js';
import { makeRevokeAgentKeys } from '../usecases/revoke-agent-keys.js';
import { makeRotateAgentKey } from '../usecases/rotate-agent-key.js';
import { createCliLogger } from './cli-logger.js';
import { openCliPolicy } from './cli-policy.js';
import { requestPolicyReload } from './policy-reload-cli.js';
import { resolveDatabase } from './database.js';
import { describeError } from './describe-error.js';
import { formatAgentTable } from './format-agent-table.js';
import { runImportMcp, runMcpGateway } from './mcp-cli.js';

const USAGE = `usage: npm run airlock -- <command>
  migrate                                  apply database migrations
  policy check [file]                      validate a policy file (default: the one the server loads); exits 1 listing every error
  policy reload [file]                     check the file, then have every running server reload it (SIGHUP without a pid)
  policy schema                            print the policy file's JSON Schema
  policy import-mcp -- <command...>        print policy entries for an MCP server's tools (mode off, risk high, args_schema)
  agent create --tenant T --name N         issue an agent's first key (printed once, as one JSON line)
  agent list [--tenant T] [--json]         list agents and the state of their keys (never a key)
  agent rotate --tenant T --name N [--grace D]
                                           issue a new key (one JSON line); the previous ones stop at once, or after D (e.g. 1h)
  agent revoke --tenant T --name N [--key ID]
                                           revoke the agent's keys (or the one named), at once on every process
${AUDIT_USAGE}
  admin --tenant T [--as NAME] <command>   run an admin command (deny-tool, allow-tool, incident on|off,
                                           kill-agent, revive-agent, mode, status, pending, help) when chat is down
  review list --tenant T                   the open approvals, oldest first
  review show <id> --tenant T              one action as a reviewer would read it
  review approve <id> --tenant T --as REVIEWER [--reason R] [--args-version N]
                                           approve on behalf of a listed reviewer (their Slack or Teams id); every
                                           rule of a click applies, and the review records your OS user. Once a
                                           reviewer changed the arguments, name the version you read (review show)
  review deny <id> --tenant T --as REVIEWER --reason R
                                           deny on behalf of a listed reviewer
  mcp-gateway --agent-key K [--http PORT] -- <upstream command...>
                                           serve an MCP server's tools behind Airlock's policy and approvals
  help [group]                             this list, or one group's commands (policy, agent, audit, review)
  --version                                print Airlock's version`;

/** The commands of one group (`airlock agent`): USAGE's lines for it, with their continuation lines. */
function groupUsage(group: string): string | undefined {
  const lines: string[] = [];
  let inGroup = false;
  for (const line of USAGE.split('\n').slice(1)) {
    if (!line.startsWith('    ')) inGroup = line.startsWith(`  ${group} `);
    if (inGroup) lines.push(line);
  }
  return lines.length ? `usage: npm run airlock -- ${group} <command>\n${lines.join('\n')}` : undefined;
}
const GROUPS = ['policy', 'agent', 'audit', 'review'];

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Database-backed commands share this: embedded Postgres when DATABASE_URL is unset, migrated. */
async function withDatabase<T>(env: Env, run: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const db = await resolveDatabase(env, createCliLogger());
  const pool = createPool(db.url, 4);
  try {
    await migrate(pool);
    return await run(pool);
  } finally {
    await pool.end();
    await db.stop();
  }
}

/** The policy the server would load (POLICY_FILE, else ./policy.yml, else the example), or the one it runs when that file is invalid. */
async function serverPolicy(env: Env, pool: ReturnType<typeof createPool>): Promise<FilePolicySource> {
  const log = createCliLogger();
  const { path, note } = resolvePolicyPath(env.POLICY_FILE);
  if (note) log.warn(note);
  return openCliPolicy(path, pool, (line) => log.warn(line));
}

/** The policy in `file`, or undefined after printing every error in it. */
async function checkPolicyFile(file: string): Promise<Policy | undefined> {
  try {
    return await loadPolicyFile(file);
  } catch (e) {
    if (!(e instanceof AirlockError)) throw e;
    err(`${file}: ${e.message}`);
    for (const d of e.details) err(`  ${d.path}: ${d.message}`);
    return undefined;
  }
}

function requireFlag(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

class UsageError extends Error {
  constructor(
    message: string,
    readonly usage = USAGE,
  ) {
    super(message);
  }
}

function argsVersionFlag(values: Record<string, unknown>, usage: string): number | undefined {
  const raw = values['args-version'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError('--args-version takes the version number `review show` prints (1, 2, ...)', usage);
  return n;
}

/** `airlock review ...`; loaded lazily like `admin` (it brings in the chat directories). */
async function review(env: Env, sub: string | undefined, id: string | undefined, values: Record<string, unknown>): Promise<number> {
  const usage = groupUsage('review')!;
  const tenant = requireFlag(values, 'tenant');
  const needId = () => id ?? (() => {
    throw new UsageError(`review ${sub} needs an action id`, usage);
  })();
  const reason = typeof values.reason === 'string' ? values.reason : undefined;
  let input: import('./review-cli.js').ReviewCliInput;
  switch (sub) {
    case 'list':
      input = { command: 'list', tenant };
      break;
    case 'show':
      input = { command: 'show', tenant, id: needId() };
      break;
    case 'approve':
    case 'deny':
      if (sub === 'deny' && !reason) throw new UsageError('review deny needs --reason (the agent sees it)', usage);
      input = { command: sub, tenant, id: needId(), as: requireFlag(values, 'as'), reason, operator: userInfo().username, argsVersion: argsVersionFlag(values, usage) };
      break;
    default:
      throw new UsageError(`unknown command: review ${sub ?? ''}`.trim(), usage);
  }
  const { runReview } = await import('./review-cli.js');
  const result = await runReview(env, input);
  (result.ok ? out : err)(result.text);
  return result.ok ? 0 : 1;
}

export async function runCli(argv: string[], env: Env): Promise<number> {
  // Their own flags (and an upstream command after --): dispatched before the shared flag parser.
  if (argv[0] === 'mcp-gateway') return runMcpGateway(argv.slice(1), env);
  if (argv[0] === 'policy' && argv[1] === 'import-mcp') return runImportMcp(argv.slice(2));
  if (argv[0] === 'audit' && argv.length > 1) return runAudit(argv.slice(1), env);
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      as: { type: 'string' },
      grace: { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean' },
      reason: { type: 'string' },
      'args-version': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [cmd, sub, arg] = positionals;
  if (values.version || cmd === 'version') {
    out(`airlock ${pkg.version}`);
    return 0;
  }
  if (!cmd || cmd === 'help') {
    const group = cmd === 'help' ? sub : undefined;
    out((group && groupUsage(group)) || USAGE);
    return 0;
  }
  if (GROUPS.includes(cmd) && (!sub || values.help)) {
    out(groupUsage(cmd)!);
    return 0;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const operator = (): KeyOperator => ({ platform: 'cli', operator: (values.as as string | undefined) ?? userInfo().username, osUser: userInfo().username });
  if (cmd === 'admin') {
    const tenant = requireFlag(values, 'tenant');
    // Loaded only here: it brings in the chat platforms' SDKs, which every other command can do without.
    const { runAdmin } = await import('./admin-cli.js');
    const reply = await runAdmin(env, { kind: 'cli', operator: operator().operator, osUser: operator().osUser, tenant }, positionals.slice(1).join(' '));
    (reply.ok ? out : err)(toTerminalText(reply.message));
    return reply.ok ? 0 : 1;
  }
  if (cmd === 'review') return review(env, sub, arg, values);
  switch (`${cmd} ${sub ?? ''}`.trim()) {
    case 'migrate': {
      const applied = await withDatabase(env, migrate);
      out(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    case 'policy check': {
      const file = arg ?? resolvePolicyPath(env.POLICY_FILE).path;
      const p = await checkPolicyFile(file);
      if (!p) return 1;
      out(`${file}: ok (version ${p.fileVersion}, ${p.tenants.size} tenants, ${p.tools.size} tools)`);
      return 0;
    }
    case 'policy reload': {
      const file = arg ?? resolvePolicyPath(env.POLICY_FILE).path;
      const p = await checkPolicyFile(file);
      if (!p) {
        err('nothing was reloaded: the servers keep the policy they run');
        return 1;
      }
      const result = await withDatabase(env, (pool) => requestPolicyReload(pool, p));
      (result.ok ? out : err)(result.text);
      return result.ok ? 0 : 1;
    }
    case 'policy schema':
      out(JSON.stringify(policyJsonSchema(), null, 2));
      return 0;
    case 'agent create': {
      const tenant = requireFlag(values, 'tenant');
      const name = requireFlag(values, 'name');
      const created = await withDatabase(env, async (pool) => makeCreateAgent({ agents: new PgAgentStore(pool), policy: await serverPolicy(env, pool) })(tenant, name, operator()));
      out(JSON.stringify(created));
      return 0;
    }
    case 'agent list': {
      const tenant = values.tenant as string | undefined;
      const agents = await withDatabase(env, async (pool) => makeListAgents({ agents: new PgAgentStore(pool), policy: await serverPolicy(env, pool) })(tenant));
      if (values.json) for (const a of agents) out(JSON.stringify(a));
      else out(formatAgentTable(agents));
      return 0;
    }
    case 'agent rotate': {
      const tenant = requireFlag(values, 'tenant');
      const name = requireFlag(values, 'name');
      const grace = values.grace === undefined ? 0 : parseDuration(values.grace as string);
      if (grace === undefined) throw new UsageError(`--grace must be a duration such as 30m, 1h or 2d`, groupUsage('agent'));
      const rotated = await withDatabase(env, async (pool) => makeRotateAgentKey({ agents: new PgAgentStore(pool), policy: await serverPolicy(env, pool) })(tenant, name, grace, operator()));
      out(JSON.stringify(rotated));
      return 0;
    }
    case 'agent revoke': {
      const tenant = requireFlag(values, 'tenant');
      const name = requireFlag(values, 'name');
      const { revoked_keys } = await withDatabase(env, (pool) =>
        makeRevokeAgentKeys({ agents: new PgAgentStore(pool) })(tenant, name, operator(), values.key as string | undefined),
      );
      out(
        revoked_keys.length
          ? `revoked ${revoked_keys.length} key${revoked_keys.length > 1 ? 's' : ''} of ${tenant}/${name}: ${revoked_keys.join(', ')}`
          : `${tenant}/${name} had no usable key: nothing revoked`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`, (GROUPS.includes(cmd) && groupUsage(cmd)) || USAGE);
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
        err(`airlock: ${e.message}\n${e.usage}`);
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
      err(`airlock: ${describeError(e)}`);
      return 1;
    }
  })().then((code) => process.exit(code));
}
