import { AirlockError } from '../../src/domain/errors.js';
import { toTerminalJson } from '../../src/domain/terminal-text.js';
import { JSON_OUTPUT, listFlag, stringFlag, TENANT, UsageError, type CliCommand, type CommandInput } from './cli-command.js';
import { EXPORT_FILTER_FLAGS, exportFilterOf } from './audit-export-filter.js';
import { AUDIT_SHOW_COMMAND } from './audit-show-command.js';
import type { AuditSession } from './cli-services.js';
import { CheckpointError, latestCheckpoint, readCheckpoints } from './read-checkpoints.js';
import { commandUsage } from './usage-text.js';

/**
 * Runs `work` on the tenant's audit log once the tenant is known to the
 * policy (the server's file, else the policy the server last loaded): a typo
 * never reads as "ok, 0 events". Events not yet sealed are sealed first.
 */
async function onTenantLog(input: CommandInput, work: (audit: AuditSession, tenant: string) => Promise<number>): Promise<number> {
  const { values, services, io } = input;
  const tenant = stringFlag(values, 'tenant')!;
  const file = services.policy.serverFile();
  const undeclared = (tenants: string[]) => {
    if (tenants.includes(tenant)) return false;
    io.err(`airlock: tenant ${JSON.stringify(tenant)} is not declared in the policy (${file}); declared: ${tenants.join(', ') || 'none'}. To read the trail of a tenant removed from the policy, set POLICY_FILE to a policy that declares it.`);
    return true;
  };
  // An invalid file is no reason to refuse reading the trail: the policy the server runs is in the database.
  const fromFile = await services.policy.check(file).catch((e: unknown) => {
    if (e instanceof AirlockError) return undefined;
    throw e;
  });
  if (fromFile && undeclared([...fromFile.tenants.keys()])) return 1;
  return services.withAuditLog(async (audit) => {
    if (!fromFile && undeclared(await audit.liveTenants())) return 1;
    await audit.seal(tenant);
    return work(audit, tenant);
  });
}

const verify: CliCommand = {
  name: 'audit verify',
  flags: {
    tenant: TENANT,
    checkpoint: { type: 'string', value: 'C', multiple: true, about: 'a checkpoint line or a file of them: the chain must still hold each one' },
    since: { type: 'string', value: 'C', about: 'walk only what was sealed after checkpoint C' },
    json: { ...JSON_OUTPUT, about: 'print one JSON document, the problems in it, instead of the summary line and the problems on stderr' },
  },
  about: ["verify the tenant's audit chain (exit 1 naming every problem); C is a", 'checkpoint line or a file of them: the chain must still hold each one;', '--since walks only what was sealed after C'],
  async run(input) {
    const { values, io } = input;
    const tenant = stringFlag(values, 'tenant')!;
    const read = (sources: string[]) =>
      readCheckpoints(sources, tenant).catch((e: unknown) => {
        throw e instanceof CheckpointError ? new UsageError(e.message, commandUsage(verify)) : e;
      });
    const sinceRaw = stringFlag(values, 'since');
    const sinceFound = sinceRaw ? await read([sinceRaw]) : [];
    const checkpoints = [...(await read(listFlag(values, 'checkpoint'))), ...sinceFound];
    const since = sinceFound.length > 0 ? latestCheckpoint(sinceFound) : undefined;
    return onTenantLog(input, async (audit) => {
      const result = await audit.verify(tenant, { since, checkpoints });
      const summary = { tenant, ok: result.ok, checked: result.checked, unsealed: result.unsealed, problems: result.problems.length, head: result.head, ...(since ? { since: { block: since.block, seq: since.seq } } : {}) };
      if (values.json) await io.out(toTerminalJson({ ...summary, problem_details: result.problems }));
      else {
        for (const p of result.problems) io.err(`  ${p}`);
        await io.out(JSON.stringify(summary));
      }
      return result.ok ? 0 : 1;
    });
  },
};

const checkpoint: CliCommand = {
  name: 'audit checkpoint',
  flags: { tenant: TENANT },
  about: ["print the chain's head as one authenticated line, to keep elsewhere"],
  run: (input) =>
    onTenantLog(input, async (audit, tenant) => {
      await input.io.out(JSON.stringify(await audit.checkpoint(tenant)));
      return 0;
    }),
};

const exportEvents: CliCommand = {
  name: 'audit export',
  flags: { tenant: TENANT, ...EXPORT_FILTER_FLAGS },
  about: ["write the tenant's audit events as JSON Lines, in chain order; filters", 'narrow the output only (the whole chain is sealed first, and each event', 'keeps its seq, block and hash)'],
  run(input) {
    // Checked before the database is opened: a mistake exports nothing.
    const filter = exportFilterOf(input.values);
    if ('mistake' in filter) throw new UsageError(filter.mistake, commandUsage(exportEvents));
    return onTenantLog(input, async (audit, tenant) => {
      const { error } = await audit.exportJsonLines(tenant, input.io.stdout, filter);
      if (!error) return 0;
      input.io.err(`airlock: audit export: ${error}; the export is incomplete`);
      return 1;
    });
  },
};

export const AUDIT_COMMANDS: CliCommand[] = [verify, checkpoint, exportEvents, AUDIT_SHOW_COMMAND];
