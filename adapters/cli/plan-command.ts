import { AirlockError } from '../../src/domain/errors.js';
import { parseDuration } from '../../src/domain/duration.js';
import type { PlanReport, ToolCount } from '../../src/usecases/plan-policy.js';
import type { TransitionSummary } from '../../src/usecases/transition-tally.js';
import { JSON_OUTPUT, stringFlag, type CliCommand, type CliIo, type FlagValues } from './cli-command.js';
import { commandUsage } from './usage-text.js';

const DEFAULT_WINDOW = '30d';
/** A CI step gates on these: 0 nothing changes, 2 changes only tighten, 3 something loosens or cannot be judged. */
export const EXIT: Record<PlanReport['verdict'], number> = { unchanged: 0, tightens: 2, loosens: 3 };

/**
 * `policy plan`: exit 0 nothing changes, 2 changes that only tighten, 3
 * something loosens or cannot be judged, 1 any error. A CI step gates on
 * these, so every mistake in the call exits 1 too, never 2.
 */
/** The window a plan or a shadow report covers; checked in run(), not by the parser: a usage mistake must exit 1, not 2 (which means "tightens"). */
export const windowFlags = (tenantAbout: string): CliCommand['flags'] => ({
  tenant: { type: 'string', value: 'T', about: `${tenantAbout} (required)` },
  since: { type: 'string', value: 'D|ISO', about: `start of the window: a duration back from now (7d, 12h) or a date (default ${DEFAULT_WINDOW})` },
  until: { type: 'string', value: 'ISO', about: 'end of the window (default now)' },
  json: JSON_OUTPUT,
});

/** The window named by --since and --until, or the usage mistake to report. */
export function windowOf(values: FlagValues): { since: Date; until: Date } | { mistake: string } {
  const now = new Date();
  const bounds = windowBounds({ since: stringFlag(values, 'since') ?? DEFAULT_WINDOW, until: stringFlag(values, 'until') ?? now.toISOString() }, now);
  if ('mistake' in bounds) return bounds;
  return { since: bounds.since!, until: bounds.until! };
}

/**
 * The instants --since (a duration back from `now`, or an ISO date) and
 * --until (an ISO date) name, each absent when not given, or the usage
 * mistake to report: for commands whose window is open at either end.
 */
export function windowBounds(values: FlagValues, now = new Date()): { since?: Date; until?: Date } | { mistake: string } {
  const sinceText = stringFlag(values, 'since');
  const untilText = stringFlag(values, 'until');
  const since = sinceText === undefined ? undefined : instant(sinceText, now, true);
  const until = untilText === undefined ? undefined : instant(untilText, now, false);
  if (sinceText !== undefined && !since) return { mistake: '--since takes a duration (30d, 12h) or an ISO date' };
  if (untilText !== undefined && !until) return { mistake: '--until takes an ISO date' };
  if (since && until && since >= until) return { mistake: '--since must be before --until' };
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

export const planCommand: CliCommand = {
  name: 'policy plan',
  args: { text: '<candidate.yml>', min: 0, max: 1 },
  flags: windowFlags('the tenant whose recorded requests are replayed'),
  about: [
    "replay the tenant's recorded requests through a candidate policy and the live one, each",
    'under the admin overrides in force then, and show what would change; exits 0 nothing',
    'changes, 2 changes only tighten, 3 something loosens or is undetermined, 1 error',
  ],
  async run({ values, args, services, io }) {
    const usage = (message: string) => {
      io.err(`airlock: ${message}`);
      io.err(commandUsage(planCommand));
      return 1;
    };
    const file = args[0];
    const tenant = stringFlag(values, 'tenant');
    if (!file) return usage('name the candidate policy file');
    if (!tenant) return usage('--tenant is required');
    const window = windowOf(values);
    if ('mistake' in window) return usage(window.mistake);
    const { since, until } = window;

    let candidate;
    try {
      candidate = await services.policy.check(file);
    } catch (e) {
      if (!(e instanceof AirlockError)) throw e;
      io.err(`${file}: ${e.message}`);
      for (const d of e.details) io.err(`  ${d.path}: ${d.message}`);
      return 1;
    }
    const report = await services.policy.plan({ tenant, candidate, since, until });
    await io.out(values.json ? JSON.stringify(planJson(report), null, 2) : planText(report));
    return EXIT[report.verdict];
  },
};

/** `30d` back from now, or an ISO date; undefined when it is neither. */
export function instant(text: string, now: Date, durationAllowed: boolean): Date | undefined {
  const back = durationAllowed ? parseDuration(text) : undefined;
  if (back !== undefined) return new Date(now.getTime() - back);
  if (!/^\d{4}-\d\d-\d\d/.test(text)) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const UNDETERMINED: Record<PlanReport['undetermined'][number]['why'], string> = {
  overrides_not_recorded: 'the admin overrides in force then were not recorded',
  reads_redacted_value: 'a condition reads an argument that was redacted',
};

function planText(r: PlanReport): string {
  const window = `between ${r.since.toISOString()} and ${r.until.toISOString()}`;
  const lines: string[] = [];
  if (r.tenantDropped) lines.push(`The candidate does not declare tenant ${r.tenant}: every one of its requests would be denied.`);
  if (r.tenantNotLive) lines.push(`The live policy does not declare tenant ${r.tenant}: its requests replay as denied there.`);
  if (r.actions === 0) {
    lines.push(`No actions of tenant ${r.tenant} were recorded ${window}: nothing to replay.`);
    return lines.join('\n');
  }
  const { loosens, tightens, relabels, undetermined } = r.counts;
  lines.push(
    `${r.actions} actions of tenant ${r.tenant} ${window}, live policy ${r.livePolicyVersion} → candidate ${r.candidatePolicyVersion}:`,
    `${r.unchanged} unchanged, ${loosens} loosen, ${tightens} tighten, ${relabels} relabelled, ${undetermined} undetermined`,
  );
  return [...lines, ...transitionLines(r)].join('\n');
}

/** A summary's changes, loosening first, each with its tools and a few example ids. */
export function transitionLines(r: TransitionSummary): string[] {
  if (r.verdict === 'unchanged') return ['Nothing changes.'];
  const lines = [''];
  for (const t of r.transitions) {
    lines.push(`${(t.effect === 'loosens' ? 'LOOSENS' : t.effect).padEnd(12)}${`${t.from} → ${t.to}`.padEnd(52)} ${t.count}`);
    lines.push(...toolLines(t.tools));
  }
  for (const u of r.undetermined) {
    lines.push(`${'UNDETERMINED'.padEnd(12)}${UNDETERMINED[u.why].padEnd(52)} ${u.count}`);
    lines.push(...toolLines(u.tools));
  }
  return lines;
}

const toolLines = (tools: ToolCount[]): string[] => tools.map((t) => `${' '.repeat(14)}${t.tool.padEnd(30)} ${String(t.count).padStart(8)}   e.g. ${t.examples.join(', ')}`);

function planJson(r: PlanReport) {
  return {
    tenant: r.tenant,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    live_policy_version: r.livePolicyVersion,
    candidate_policy_version: r.candidatePolicyVersion,
    tenant_dropped: r.tenantDropped,
    tenant_not_live: r.tenantNotLive,
    actions: r.actions,
    unchanged: r.unchanged,
    counts: r.counts,
    verdict: r.verdict,
    transitions: r.transitions,
    undetermined: r.undetermined,
  };
}
