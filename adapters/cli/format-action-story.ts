import type { ActionStory, ArgsRef, StoryDecision, StoryEntry, StoryResult, StoryReviewer } from '../../src/domain/action-story.js';
import { refusalInWords } from '../../src/domain/review-refusal.js';
import { escapeTerminal } from '../../src/domain/terminal-text.js';
import { humanDuration } from './format-report.js';

const LABEL = 12;
const TIME = 10;
const STEP = 16;
/** Continuation lines of a step start under its text. */
const INDENT = ' '.repeat(2 + TIME + STEP);
/** Enough of a digest to compare by eye; the step itself and `--json` give it whole. */
const SHORT_DIGEST = 16;

const STEP_NAMES: Record<Exclude<StoryEntry['kind'], 'review' | 'other'>, string> = {
  decision: 'decision',
  card_posted: 'card posted',
  reminder: 'reminder',
  review_refused: 'review refused',
  escalated: 'escalated',
  expired: 'expired',
  timeout_fallback: 'timed out',
  card_failed: 'card failed',
  admin_change: 'admin override',
  callback_delivered: 'callback',
  callback_failed: 'callback',
  result: 'result',
};

const quoted = (v: unknown) => JSON.stringify(v) ?? 'nothing';
const digest = (r: ArgsRef, whole: boolean) => `v${r.version} sha256 ${whole ? r.sha256 : `${r.sha256.slice(0, SHORT_DIGEST)}…`}`;

function person(r: StoryReviewer, withTeam: boolean): string {
  const extra = [r.email, withTeam ? `team ${r.teamId}` : undefined].filter(Boolean).join(', ');
  const via = r.operator !== undefined ? ` via the CLI (operator ${r.operator})` : '';
  return `${r.platform} ${r.userId}${extra ? ` (${extra})` : ''}${via}`;
}

const decided = (d: StoryDecision) => `${d.decision} (mode ${d.mode}), rule ${d.rule}, policy version ${d.policyVersion}`;

function ran(r: StoryResult, header: boolean): string {
  const what = [r.outcome, r.externalRef !== undefined ? `ref ${r.externalRef}` : undefined, r.detail !== undefined ? quoted(r.detail) : undefined].filter(Boolean).join(', ');
  const args = header ? 'the executed arguments' : 'arguments';
  const check = r.argsCheck === 'match' ? `${args} match v${r.argsRef.version}` : `${args} DIFFER from v${r.argsRef.version}${r.violation ? `: ${r.violation}` : ''}`;
  return `${what}; ${check}`;
}

/** A step: its first line's text, then any continuation lines. */
function stepLines(e: StoryEntry): { name: string; lines: string[] } {
  switch (e.kind) {
    case 'decision': {
      const lines = [decided(e)];
      lines.push(...e.reasons.map((r) => `why: ${r}`));
      if (e.rollout) lines.push(`rollout stage ${e.rollout.stage}${e.rollout.key !== undefined ? `, bucket ${e.rollout.bucket ?? '?'} of ${e.rollout.key}` : ''}`);
      if (e.shadow) lines.push(`shadow policy ${e.shadow.policyVersion} would have decided ${e.shadow.decision} (mode ${e.shadow.mode}), rule ${e.shadow.rule}`);
      lines.push(`arguments ${digest(e.request.argsRef, true)}: ${JSON.stringify(e.request.args)}`);
      return { name: 'decision', lines };
    }
    case 'card_posted': {
      const place = Object.entries(e.place).map(([k, v]) => `${k} ${v}`).join(', ');
      return { name: STEP_NAMES[e.kind], lines: [`${e.platform}, round ${e.round}${e.group ? `, group ${e.group}` : ''}${place ? `: ${place}` : ''}`] };
    }
    case 'reminder':
      return { name: STEP_NAMES[e.kind], lines: [`round ${e.round}${e.group ? `, group ${e.group}` : ''}${e.posted ? '' : ' (no card to remind in: nothing posted)'}`] };
    case 'review': {
      const first = `by ${person(e.reviewer, true)}${e.reason !== undefined ? `: ${quoted(e.reason)}` : ''}; status ${e.status}`;
      const changes = (e.edit?.changes ?? []).map((c) => `changed ${c.path}: ${quoted(c.from)} → ${quoted(c.to)}`);
      const bound = `arguments ${digest(e.argsRef, true)}${e.approvedArgs ? `: ${JSON.stringify(e.approvedArgs)}` : ''}`;
      return { name: e.decision === 'approve' ? 'approved' : 'denied', lines: [first, ...changes, bound] };
    }
    case 'review_refused':
      return { name: STEP_NAMES[e.kind], lines: [`${e.attempted} by ${e.reviewer ? person(e.reviewer, true) : 'someone'}: ${refusalInWords(e.because)}`] };
    case 'escalated':
      return { name: STEP_NAMES[e.kind], lines: [`to ${e.to}: ${e.cause}`] };
    case 'expired':
    case 'timeout_fallback':
    case 'card_failed':
    case 'admin_change':
      return { name: STEP_NAMES[e.kind], lines: [`${e.cause}; decision ${e.decision}, mode ${e.mode}; status ${e.status}`] };
    case 'callback_delivered':
      return { name: STEP_NAMES[e.kind], lines: [`delivered to ${e.origin ?? '?'}${e.httpStatus !== undefined ? ` (HTTP ${e.httpStatus})` : ''}`] };
    case 'callback_failed':
      return { name: STEP_NAMES[e.kind], lines: [`failed to ${e.origin ?? '?'}: ${e.error ?? 'no reason recorded'}`] };
    case 'result':
      return { name: STEP_NAMES[e.kind], lines: [ran(e, false)] };
    case 'other':
      return { name: e.recorded.replaceAll('_', ' '), lines: [e.status !== undefined ? `status ${e.status}` : ''] };
  }
}

const since = (ms: number) => `${ms < 0 ? '-' : '+'}${humanDuration(Math.abs(ms) / 1000)}`;

/**
 * `audit show` for a person: the answers first (who asked, what decided, who
 * approved which arguments, what ran, where it stands), then the timeline,
 * each step timed from the request. Every line is escaped whole: what an
 * agent or a reviewer wrote can neither forge a line nor hide one.
 */
export function formatActionStory(s: ActionStory): string {
  const line = (label: string, value: string) => `${label.padEnd(LABEL)}${value}`;
  const r = s.request;
  const head = [line('action', `${s.actionId} · ${s.tool} · tenant ${s.tenant}`)];
  if (r) {
    head.push(line('requested', `${s.requestedAt.toISOString()} by agent ${r.agent} for ${[r.requester.display, r.requester.id, r.requester.email].filter(Boolean).join(' · ')}`));
    const where = [r.environment, r.workflow !== undefined ? `workflow ${r.workflow}` : undefined, r.session !== undefined ? `session ${r.session}` : undefined, r.target !== undefined ? `target ${r.target}` : undefined];
    head.push(line('where', where.filter(Boolean).join(', ') || '-'));
    if (r.summary !== undefined) head.push(line('summary', r.summary));
    if (r.consequence !== undefined) head.push(line('consequence', r.consequence));
    head.push(line('tool', `${s.tool}${r.risk ? `, risk ${r.risk}` : ''}${r.effects.length > 0 ? `, ${r.effects.join(', ')}` : ''}`));
  } else {
    head.push(line('requested', `${s.requestedAt.toISOString()} (the trail holds no decision event for it)`));
  }
  if (s.decision) head.push(line('decided', decided(s.decision)));
  for (const v of s.reviews) head.push(line(v.decision === 'approve' ? 'approved' : 'denied', `by ${person(v.reviewer, false)}, arguments ${digest(v.argsRef, false)}`));
  head.push(line('ran', s.result ? ran(s.result, true) : 'nothing reported'));
  head.push(line('status', `${s.now.status} (decision ${s.now.decision}, mode ${s.now.mode})`));

  const steps = s.timeline.flatMap((e) => {
    const { name, lines } = stepLines(e);
    return [`  ${since(e.afterMs).padEnd(TIME)}${name.padEnd(STEP)}${lines[0] ?? ''}`.trimEnd(), ...lines.slice(1).map((l) => `${INDENT}${l}`)];
  });
  return [...head, '', ...steps].map(escapeTerminal).join('\n');
}
