import { DECISIONS, type Decision } from '../../../src/domain/decision.js';
import type { EvidenceReport } from '../../../src/domain/evidence.js';

/** The windows the dashboard offers, each with the slice its chart counts decisions in (about 24 to 31 points). */
export const WINDOWS = { '24h': '1h', '7d': '6h', '30d': '1d' } as const;
export type DashboardWindow = keyof typeof WINDOWS;

export const isWindow = (w: unknown): w is DashboardWindow => typeof w === 'string' && Object.hasOwn(WINDOWS, w);

/** The chart's data: one x per slice of the window (empty slices as zeros, so a quiet hour shows as one), one series per decision. */
export interface TimelineSeries {
  /** Slice starts, seconds since the epoch (what uPlot plots). */
  x: number[];
  series: { decision: Decision; counts: number[] }[];
}

export function timelineSeries(report: EvidenceReport): TimelineSeries {
  const timeline = report.timeline;
  if (!timeline) return { x: [], series: [] };
  const step = timeline.bucketSeconds;
  // Slices are aligned on the epoch (clock hours, midnight UTC), as date_bin aligned them: the first and the last may be partly outside the window.
  const first = Math.floor(report.since.getTime() / 1000 / step) * step;
  const last = Math.ceil(report.until.getTime() / 1000 / step) * step;
  const slices = Math.max(1, (last - first) / step);
  const x = Array.from({ length: slices }, (_, i) => first + i * step);
  const counts = new Map<Decision, number[]>(DECISIONS.map((d) => [d, new Array<number>(slices).fill(0)]));
  for (const p of timeline.points) {
    const i = Math.round((p.start.getTime() / 1000 - first) / step);
    const row = counts.get(p.decision);
    if (row && i >= 0 && i < slices) row[i]! += p.count;
  }
  // Only the decisions that happened: an empty line per unused kind is noise.
  const series = DECISIONS.filter((d) => counts.get(d)!.some((n) => n > 0)).map((d) => ({ decision: d, counts: counts.get(d)! }));
  return { x, series };
}

/** Markup-safe JSON for a `<script type="application/json">` block: no `<` survives, so no `</script>` can end it early. */
export const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
