import type { ShadowReport } from '../../src/usecases/shadow-report.js';
import { stringFlag, type CliCommand } from './cli-command.js';
import { EXIT, transitionLines, windowFlags, windowOf } from './plan-command.js';
import { commandUsage } from './usage-text.js';

/**
 * `policy shadow-report`: how the shadow policy (POLICY_SHADOW_FILE) judged
 * the tenant's live requests against the decisions they got, as a plan shows
 * a candidate; the same exit status (0 agrees, 2 only stricter, 3 looser
 * somewhere, 1 error), so a check can gate on a week of shadowing.
 */
export const shadowReportCommand: CliCommand = {
  name: 'policy shadow-report',
  args: { text: '', min: 0, max: 0 },
  flags: windowFlags('the tenant whose live requests are summarised'),
  about: [
    "summarise how the shadow policy's decisions differed from the live ones on the tenant's",
    'requests (loosening first); exits 0 no difference, 2 the shadow is only stricter, 3 it',
    'would loosen something, 1 error',
  ],
  async run({ values, services, io }) {
    const usage = (message: string) => {
      io.err(`airlock: ${message}`);
      io.err(commandUsage(shadowReportCommand));
      return 1;
    };
    const tenant = stringFlag(values, 'tenant');
    if (!tenant) return usage('--tenant is required');
    const window = windowOf(values);
    if ('mistake' in window) return usage(window.mistake);
    const report = await services.policy.shadowReport({ tenant, ...window });
    await io.out(values.json ? JSON.stringify(shadowJson(report), null, 2) : shadowText(report));
    return EXIT[report.verdict];
  },
};

function shadowText(r: ShadowReport): string {
  const window = `between ${r.since.toISOString()} and ${r.until.toISOString()}`;
  const without = r.withoutShadow > 0 ? ` (${r.withoutShadow} more were decided while no shadow policy was set)` : '';
  if (r.actions === 0) return `No request of tenant ${r.tenant} was judged by a shadow policy ${window}${without}: set POLICY_SHADOW_FILE on the servers.`;
  const { loosens, tightens, relabels } = r.counts;
  return [
    `${r.actions} requests of tenant ${r.tenant} ${window}${without}, live → shadow ${r.shadowVersions.join(', ')}:`,
    `${r.unchanged} agree, ${loosens} looser in the shadow, ${tightens} stricter, ${relabels} relabelled`,
    ...transitionLines(r),
  ].join('\n');
}

const shadowJson = (r: ShadowReport) => ({
  tenant: r.tenant,
  since: r.since.toISOString(),
  until: r.until.toISOString(),
  shadow_policy_versions: r.shadowVersions,
  actions: r.actions,
  without_shadow: r.withoutShadow,
  unchanged: r.unchanged,
  counts: r.counts,
  verdict: r.verdict,
  transitions: r.transitions,
});
