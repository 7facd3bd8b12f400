import type { ArgsChange } from './action.js';

/**
 * One audit event of an action as the trail holds it. `data` is what was
 * recorded, read defensively: events written by an older version may lack a
 * field, and kinds this version does not know may appear.
 */
export interface TrailEvent {
  id: string;
  kind: string;
  at: Date;
  data: Record<string, unknown>;
}

/** A reviewer as an event recorded them; `operator` is the OS user who recorded the review from the CLI on their behalf. */
export interface StoryReviewer {
  platform: string;
  userId: string;
  teamId: string;
  email?: string;
  operator?: string;
}

/** A version of the arguments and its binding digest: what a card showed, a reviewer approved or an agent ran. */
export interface ArgsRef {
  version: number;
  sha256: string;
}

export interface StoryRequest {
  agent: string;
  requester: { id: string; email?: string; display?: string };
  environment?: string;
  workflow?: string;
  session?: string;
  target?: string;
  summary?: string;
  consequence?: string;
  risk?: string;
  effects: string[];
  /** As recorded: redacted values hold the redaction marker. */
  args: Record<string, unknown>;
  argsRef: ArgsRef;
}

export interface StoryDecision {
  decision: string;
  mode: string;
  rule: string;
  policyVersion: string;
  reasons: string[];
  hardBoundary?: string;
  shadow?: { policyVersion: string; decision: string; mode: string; rule: string };
  rollout?: { stage: number; bucket?: number; key?: string };
  latencyMs?: number;
}

export interface StoryReview {
  reviewer: StoryReviewer;
  decision: 'approve' | 'deny';
  reason?: string;
  /** The action's status once the review counted (`pending` while a quorum is not reached). */
  status: string;
  /** The arguments the review is bound to: after an edit, the new version. */
  argsRef: ArgsRef;
  edit?: { version: number; changes: ArgsChange[] };
  approvedArgs?: Record<string, unknown>;
}

export interface StoryResult {
  outcome: string;
  detail?: string;
  externalRef?: string;
  argsCheck: string;
  violation?: string;
  argsRef: ArgsRef;
}

/** Where an action stood after an event: its status, decision and mode. */
export interface StoryState {
  status: string;
  decision: string;
  mode: string;
}

/** How an approval ended without a review: its deadline, an undeliverable card, or an admin override (or a policy that no longer permits it). */
export const ENDING_KINDS = ['expired', 'timeout_fallback', 'card_failed', 'admin_change'] as const;

export type StoryStep =
  | ({ kind: 'decision'; request: StoryRequest } & StoryDecision)
  | { kind: 'card_posted'; platform: string; round: number; group?: string; place: Record<string, string> }
  /** `posted` false: the round had no card to remind in (its group reviews elsewhere), so nothing was posted. */
  | { kind: 'reminder'; round: number; group?: string; posted: boolean }
  | ({ kind: 'review' } & StoryReview)
  | { kind: 'review_refused'; reviewer?: StoryReviewer; attempted: string; because: string }
  | { kind: 'escalated'; to: string; cause: string }
  | ({ kind: (typeof ENDING_KINDS)[number]; cause: string } & StoryState)
  | { kind: 'callback_delivered' | 'callback_failed'; origin?: string; httpStatus?: number; error?: string }
  | ({ kind: 'result' } & StoryResult)
  | { kind: 'other'; recorded: string; status?: string };

/** A step of the story, when it happened and how long after the request. */
export type StoryEntry = StoryStep & { id: string; at: Date; afterMs: number };

/**
 * One action's story, told from its audit events alone: the request as
 * recorded, the decision, every review, how it ended and what the agent
 * reported running, plus the whole timeline in time order.
 */
export interface ActionStory {
  actionId: string;
  tenant: string;
  tool: string;
  requestedAt: Date;
  request?: StoryRequest;
  decision?: StoryDecision;
  /** As the last event recorded it. */
  now: StoryState;
  reviews: (StoryReview & { at: Date })[];
  result?: StoryResult & { at: Date };
  timeline: StoryEntry[];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const UNKNOWN = '?';

const argsRef = (d: Record<string, unknown>): ArgsRef => ({ version: count(d.args_version) ?? 1, sha256: text(d.args_sha256) ?? '' });
const state = (d: Record<string, unknown>): StoryState => ({ status: text(d.status) ?? UNKNOWN, decision: text(d.decision) ?? UNKNOWN, mode: text(d.mode) ?? UNKNOWN });

function reviewerOf(v: unknown): StoryReviewer | undefined {
  const r = record(v);
  if (!r) return undefined;
  const operator = r.via === 'cli' ? (text(r.operator) ?? UNKNOWN) : undefined;
  return { platform: text(r.platform) ?? UNKNOWN, userId: text(r.user_id) ?? UNKNOWN, teamId: text(r.team_id) ?? UNKNOWN, ...opt('email', text(r.email)), ...opt('operator', operator) };
}

/** `{key: value}` when there is a value: optional fields stay absent rather than undefined. */
const opt = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [k in K]: V }));

function requestOf(d: Record<string, unknown>): StoryRequest {
  const r = record(d.requester) ?? {};
  return {
    agent: text(d.agent) ?? UNKNOWN,
    requester: { id: text(r.id) ?? UNKNOWN, ...opt('email', text(r.email)), ...opt('display', text(r.display)) },
    ...opt('environment', text(d.environment)),
    ...opt('workflow', text(d.workflow)),
    ...opt('session', text(d.session)),
    ...opt('target', text(d.target)),
    ...opt('summary', text(d.summary)),
    ...opt('consequence', text(d.consequence)),
    ...opt('risk', text(d.risk)),
    effects: texts(d.effects),
    args: record(d.args) ?? {},
    argsRef: argsRef(d),
  };
}

function decisionOf(d: Record<string, unknown>): StoryDecision {
  const shadow = record(d.shadow);
  const rollout = record(d.rollout);
  return {
    decision: text(d.decision) ?? UNKNOWN,
    mode: text(d.mode) ?? UNKNOWN,
    rule: text(d.rule) ?? UNKNOWN,
    policyVersion: text(d.policy_version) ?? UNKNOWN,
    reasons: texts(d.reasons),
    ...opt('hardBoundary', text(d.hard_boundary)),
    ...(shadow
      ? { shadow: { policyVersion: text(shadow.policy_version) ?? UNKNOWN, decision: text(shadow.decision) ?? UNKNOWN, mode: text(shadow.mode) ?? UNKNOWN, rule: text(shadow.rule) ?? UNKNOWN } }
      : {}),
    ...(rollout ? { rollout: { stage: count(rollout.stage) ?? 0, ...opt('bucket', count(rollout.bucket)), ...opt('key', text(rollout.key)) } } : {}),
    ...opt('latencyMs', count(d.latency_ms)),
  };
}

function changesOf(v: unknown): ArgsChange[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c) => {
    const r = record(c);
    const path = r && text(r.path);
    if (!r || path === undefined) return [];
    return [{ path, ...('from' in r ? { from: r.from } : {}), ...('to' in r ? { to: r.to } : {}) }];
  });
}

function reviewOf(d: Record<string, unknown>): StoryReview {
  const edit = record(d.args_edit);
  const approved = record(d.approved_args);
  return {
    reviewer: reviewerOf(d.reviewer) ?? { platform: UNKNOWN, userId: UNKNOWN, teamId: UNKNOWN },
    decision: d.review_decision === 'deny' ? 'deny' : 'approve',
    ...opt('reason', text(d.reason)),
    status: text(d.status) ?? UNKNOWN,
    argsRef: argsRef(d),
    ...(edit ? { edit: { version: count(edit.version) ?? argsRef(d).version, changes: changesOf(edit.changes) } } : {}),
    ...(approved ? { approvedArgs: approved } : {}),
  };
}

function resultOf(d: Record<string, unknown>): StoryResult {
  const r = record(d.execution_result) ?? {};
  return {
    outcome: text(r.outcome) ?? text(d.status) ?? UNKNOWN,
    ...opt('detail', text(r.detail)),
    ...opt('externalRef', text(r.external_ref)),
    argsCheck: text(r.args_check) ?? UNKNOWN,
    ...opt('violation', text(d.violation)),
    argsRef: argsRef(d),
  };
}

function placeOf(v: unknown): Record<string, string> {
  const ref = record(v) ?? {};
  return Object.fromEntries(Object.entries(ref).filter((e): e is [string, string] => e[0] !== 'platform' && typeof e[1] === 'string'));
}

function stepOf(e: TrailEvent): StoryStep {
  const d = e.data;
  switch (e.kind) {
    case 'decision':
      return { kind: 'decision', request: requestOf(d), ...decisionOf(d) };
    case 'card_posted':
      return { kind: 'card_posted', platform: text(record(d.card)?.platform) ?? UNKNOWN, round: count(d.round) ?? 0, ...opt('group', text(d.reviewer_group)), place: placeOf(d.card) };
    case 'reminder':
      return { kind: 'reminder', round: count(d.round) ?? 0, ...opt('group', text(d.reviewer_group)), posted: d.posted !== false };
    case 'review':
      return { kind: 'review', ...reviewOf(d) };
    case 'review_refused':
      return { kind: 'review_refused', ...opt('reviewer', reviewerOf(d.reviewer)), attempted: text(d.attempted) ?? UNKNOWN, because: text(d.refused_because) ?? UNKNOWN };
    case 'escalated':
      return { kind: 'escalated', to: text(d.escalated_to) ?? UNKNOWN, cause: text(d.cause) ?? UNKNOWN };
    case 'expired':
    case 'timeout_fallback':
    case 'card_failed':
    case 'admin_change':
      return { kind: e.kind, cause: text(d.cause) ?? UNKNOWN, ...state(d) };
    case 'callback_delivered':
    case 'callback_failed':
      return { kind: e.kind, ...opt('origin', text(d.callback_origin)), ...opt('httpStatus', count(d.status)), ...opt('error', text(d.error)) };
    case 'result':
      return { kind: 'result', ...resultOf(d) };
    default:
      return { kind: 'other', recorded: e.kind, ...opt('status', text(d.status)) };
  }
}

/**
 * The story of one action from its audit events (of one tenant, any order):
 * sorted by time (then by the order they were written), each step timed from
 * the request. Pure: the trail is read elsewhere.
 */
export function actionStory(tenant: string, actionId: string, events: readonly TrailEvent[]): ActionStory {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || compareIds(a.id, b.id));
  const requestedAt = (sorted.find((e) => e.kind === 'decision') ?? sorted[0])?.at ?? new Date(0);
  const timeline: StoryEntry[] = sorted.map((e) => ({ ...stepOf(e), id: e.id, at: e.at, afterMs: e.at.getTime() - requestedAt.getTime() }));
  let request: StoryRequest | undefined;
  let decision: StoryDecision | undefined;
  let result: ActionStory['result'];
  const reviews: ActionStory['reviews'] = [];
  for (const entry of timeline) {
    if (entry.kind === 'decision' && !decision) {
      const { kind: _kind, id: _id, at: _at, afterMs: _after, request: asked, ...decided } = entry;
      request = asked;
      decision = decided;
    } else if (entry.kind === 'review') {
      const { kind: _kind, id: _id, afterMs: _after, ...review } = entry;
      reviews.push(review);
    } else if (entry.kind === 'result') {
      const { kind: _kind, id: _id, afterMs: _after, ...reported } = entry;
      result = reported;
    }
  }
  return {
    actionId,
    tenant,
    tool: text(sorted.find((e) => text(e.data.tool))?.data.tool) ?? UNKNOWN,
    requestedAt,
    ...opt('request', request),
    ...opt('decision', decision),
    now: state(sorted.at(-1)?.data ?? {}),
    reviews,
    ...opt('result', result),
    timeline,
  };
}

/** Event ids are bigserial numbers, written as text: longer means larger. */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
