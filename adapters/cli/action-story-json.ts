import type { ActionStory, StoryDecision, StoryEntry, StoryRequest, StoryResult, StoryReview, StoryReviewer } from '../../src/domain/action-story.js';

const reviewerJson = (r: StoryReviewer) => ({
  platform: r.platform,
  user_id: r.userId,
  team_id: r.teamId,
  email: r.email ?? null,
  ...(r.operator !== undefined ? { via: 'cli', operator: r.operator } : {}),
});

const requestJson = (r: StoryRequest) => ({
  agent: r.agent,
  requester: { id: r.requester.id, email: r.requester.email ?? null, display: r.requester.display ?? null },
  environment: r.environment ?? null,
  workflow: r.workflow ?? null,
  session: r.session ?? null,
  target: r.target ?? null,
  summary: r.summary ?? null,
  consequence: r.consequence ?? null,
  risk: r.risk ?? null,
  effects: r.effects,
  args: r.args,
  args_version: r.argsRef.version,
  args_sha256: r.argsRef.sha256,
});

const decisionJson = (d: StoryDecision) => ({
  decision: d.decision,
  mode: d.mode,
  rule: d.rule,
  policy_version: d.policyVersion,
  reasons: d.reasons,
  hard_boundary: d.hardBoundary ?? null,
  shadow: d.shadow ? { policy_version: d.shadow.policyVersion, decision: d.shadow.decision, mode: d.shadow.mode, rule: d.shadow.rule } : null,
  rollout: d.rollout ? { stage: d.rollout.stage, bucket: d.rollout.bucket ?? null, key: d.rollout.key ?? null } : null,
  latency_ms: d.latencyMs ?? null,
});

const reviewJson = (r: StoryReview) => ({
  decision: r.decision,
  reason: r.reason ?? null,
  reviewer: reviewerJson(r.reviewer),
  status: r.status,
  args_version: r.argsRef.version,
  args_sha256: r.argsRef.sha256,
  ...(r.edit ? { edit: { version: r.edit.version, changes: r.edit.changes } } : {}),
  ...(r.approvedArgs ? { approved_args: r.approvedArgs } : {}),
});

const resultJson = (r: StoryResult) => ({
  outcome: r.outcome,
  detail: r.detail ?? null,
  external_ref: r.externalRef ?? null,
  args_check: r.argsCheck,
  violation: r.violation ?? null,
  args_version: r.argsRef.version,
  args_sha256: r.argsRef.sha256,
});

function stepJson(e: StoryEntry): Record<string, unknown> {
  switch (e.kind) {
    case 'decision':
      return decisionJson(e);
    case 'card_posted':
      return { platform: e.platform, round: e.round, reviewer_group: e.group ?? null, place: e.place };
    case 'reminder':
      return { round: e.round, reviewer_group: e.group ?? null, posted: e.posted };
    case 'review':
      return reviewJson(e);
    case 'review_refused':
      return { attempted: e.attempted, refused_because: e.because, reviewer: e.reviewer ? reviewerJson(e.reviewer) : null };
    case 'escalated':
      return { escalated_to: e.to, cause: e.cause };
    case 'expired':
    case 'timeout_fallback':
    case 'card_failed':
    case 'admin_change':
      return { cause: e.cause, status: e.status, decision: e.decision, mode: e.mode };
    case 'callback_delivered':
    case 'callback_failed':
      return { origin: e.origin ?? null, http_status: e.httpStatus ?? null, error: e.error ?? null };
    case 'result':
      return resultJson(e);
    case 'other':
      return { status: e.status ?? null };
  }
}

/**
 * `audit show --json`: one document. The timeline keeps each event's id (as
 * `audit export` prints it) and kind as recorded, its time and the seconds
 * since the request; the summary fields above it answer who asked, what
 * decided, who approved which arguments and what ran.
 */
export const actionStoryJson = (s: ActionStory) => ({
  action_id: s.actionId,
  tenant: s.tenant,
  tool: s.tool,
  requested_at: s.requestedAt.toISOString(),
  status: s.now.status,
  final_decision: s.now.decision,
  mode: s.now.mode,
  request: s.request ? requestJson(s.request) : null,
  decision: s.decision ? decisionJson(s.decision) : null,
  reviews: s.reviews.map((r) => ({ at: r.at.toISOString(), ...reviewJson(r) })),
  result: s.result ? { at: s.result.at.toISOString(), ...resultJson(s.result) } : null,
  timeline: s.timeline.map((e) => ({ id: e.id, at: e.at.toISOString(), after_s: e.afterMs / 1000, kind: e.kind === 'other' ? e.recorded : e.kind, ...stepJson(e) })),
});
