import type { Action } from '../../../src/domain/action.js';
import type { ActionStory, ArgsRef, StoryEntry, StoryReviewer } from '../../../src/domain/action-story.js';
import type { ApprovalCard } from '../../../src/domain/approval-card.js';
import { refusalInWords } from '../../../src/domain/review-refusal.js';
import { html, type Html } from '../html.js';
import { renderCard } from '../render-card.js';
import { timeOf } from '../render-message.js';
import { layout, type Chrome } from './layout.js';
import { reviewForms } from './review-forms.js';

const STEP: Record<Exclude<StoryEntry['kind'], 'review' | 'other'>, string> = {
  decision: 'Decision',
  card_posted: 'Card posted',
  reminder: 'Reminder',
  review_refused: 'Review refused',
  escalated: 'Escalated',
  expired: 'Expired',
  timeout_fallback: 'Timed out',
  card_failed: 'Card failed',
  admin_change: 'Admin override',
  callback_delivered: 'Callback',
  callback_failed: 'Callback',
  result: 'Result',
};

export interface ActionView {
  tenant: string;
  action: Action;
  /** The card every surface shows, when the action went to a reviewer group the policy still has. */
  card?: ApprovalCard;
  /** Whether this person may decide it here (a member of its group, while it waits). */
  decides: boolean;
  story?: ActionStory;
}

/** One action: the card's content first (with the forms while it waits for this reviewer), then its story as the audit trail tells it. */
export function actionPage(v: ActionView, chrome: Chrome): Html {
  const t = encodeURIComponent(v.tenant);
  const self = `/console/t/${t}/actions/${encodeURIComponent(v.action.id)}`;
  const controls = v.decides && v.card?.buttons ? reviewForms(v.card.buttons, { action: `${self}/review`, csrf: chrome.csrf, back: self }) : undefined;
  const head = v.card
    ? renderCard(v.card, controls ? { controls } : {})
    : html`<article class="card"><h2><span class="lead">Decided at intake</span> <code>${v.action.tool}</code></h2>
<dl class="facts"><div><dt>Decision</dt><dd>${v.action.decision}</dd></div><div><dt>Mode</dt><dd>${v.action.mode}</dd></div><div><dt>Status</dt><dd>${v.action.status}</dd></div><div><dt>Agent</dt><dd>${v.action.agent}</dd></div><div><dt>Requested</dt><dd>${timeOf(v.action.createdAt)}</dd></div></dl>
<p class="note">Rule <code>${v.action.rule}</code> · policy <code>${v.action.policyVersion}</code></p></article>`;
  return layout(
    `Action ${v.action.id.slice(0, 8)}`,
    html`<h1>Action <code>${v.action.id}</code></h1>
<p class="status">Status <strong>${v.action.status}</strong></p>
${head}
<section aria-labelledby="story"><h2 id="story">Story</h2>
${v.story ? story(v.story) : html`<p>The audit trail holds no event for this action yet.</p>`}
</section>`,
    chrome,
  );
}

function story(s: ActionStory): Html {
  return html`<p class="hint">From the tenant's audit trail alone, in time order; each step timed from the request.</p>
<ol class="timeline">${s.timeline.map((e) => {
    const { name, lines } = step(e);
    return html`<li><div class="when">${timeOf(e.at)} <span class="after">${since(e.afterMs)}</span></div><div class="what"><strong>${name}</strong>${lines.map((l) => html`<p>${l}</p>`)}</div></li>`;
  })}</ol>`;
}

const quoted = (v: unknown) => JSON.stringify(v) ?? 'nothing';
const digest = (r: ArgsRef) => `version ${r.version}, sha256 ${r.sha256.slice(0, 16)}…`;
const person = (r: StoryReviewer) => `${r.platform} ${r.userId}${r.email && r.email !== r.userId ? ` (${r.email})` : ''}${r.operator !== undefined ? ` via the CLI (operator ${r.operator})` : ''}`;

function since(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 60 ? `${s}s` : s < 3_600 ? `${Math.floor(s / 60)}m ${s % 60}s` : s < 86_400 ? `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m` : `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
  return `${ms < 0 ? '-' : '+'}${text}`;
}

/** A step's name and lines, as `airlock audit show` words them (plain text: the page escapes it). */
function step(e: StoryEntry): { name: string; lines: string[] } {
  switch (e.kind) {
    case 'decision':
      return {
        name: STEP.decision,
        lines: [
          `${e.decision} (mode ${e.mode}), rule ${e.rule}, policy version ${e.policyVersion}`,
          ...e.reasons.map((r) => `why: ${r}`),
          ...(e.shadow ? [`shadow policy ${e.shadow.policyVersion} would have decided ${e.shadow.decision} (mode ${e.shadow.mode}), rule ${e.shadow.rule}`] : []),
          `arguments ${digest(e.request.argsRef)}: ${JSON.stringify(e.request.args)}`,
        ],
      };
    case 'card_posted':
      return { name: STEP.card_posted, lines: [`${e.platform}, round ${e.round}${e.group ? `, group ${e.group}` : ''}`] };
    case 'reminder':
      return { name: STEP.reminder, lines: [`round ${e.round}${e.group ? `, group ${e.group}` : ''}${e.posted ? '' : ' (no card to remind in: nothing posted)'}`] };
    case 'review':
      return {
        name: e.decision === 'approve' ? 'Approved' : 'Denied',
        lines: [
          `by ${person(e.reviewer)}${e.reason !== undefined ? `: ${quoted(e.reason)}` : ''}; status ${e.status}`,
          ...(e.edit?.changes ?? []).map((c) => `changed ${c.path}: ${quoted(c.from)} → ${quoted(c.to)}`),
          `arguments ${digest(e.argsRef)}`,
        ],
      };
    case 'review_refused':
      return { name: STEP.review_refused, lines: [`${e.attempted} by ${e.reviewer ? person(e.reviewer) : 'someone'}: ${refusalInWords(e.because)}`] };
    case 'escalated':
      return { name: STEP.escalated, lines: [`to ${e.to}: ${e.cause}`] };
    case 'expired':
    case 'timeout_fallback':
    case 'card_failed':
    case 'admin_change':
      return { name: STEP[e.kind], lines: [`${e.cause}; decision ${e.decision}, mode ${e.mode}; status ${e.status}`] };
    case 'callback_delivered':
      return { name: STEP[e.kind], lines: [`delivered to ${e.origin ?? '?'}${e.httpStatus !== undefined ? ` (HTTP ${e.httpStatus})` : ''}`] };
    case 'callback_failed':
      return { name: STEP[e.kind], lines: [`failed to ${e.origin ?? '?'}: ${e.error ?? 'no reason recorded'}`] };
    case 'result':
      return {
        name: STEP.result,
        lines: [`${e.outcome}${e.externalRef !== undefined ? `, ref ${e.externalRef}` : ''}${e.detail !== undefined ? `, ${quoted(e.detail)}` : ''}; arguments ${e.argsCheck === 'match' ? 'match' : 'DIFFER from'} version ${e.argsRef.version}${e.violation ? `: ${e.violation}` : ''}`],
      };
    case 'other':
      return { name: e.recorded.replaceAll('_', ' '), lines: e.status !== undefined ? [`status ${e.status}`] : [] };
  }
}
