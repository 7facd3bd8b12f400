import { randomUUID } from 'node:crypto';
import type { Action, Requester } from '../domain/action.js';
import type { ArgsDigests } from '../domain/args-digest.js';
import { decisionEvent } from '../domain/audit-event.js';
import { AirlockError } from '../domain/errors.js';
import { evaluatePolicy, type EvaluationRequest } from '../domain/evaluate-policy.js';
import { policyVersion, type Policy, type ToolPolicy } from '../domain/policy-model.js';
import { redactArgs } from '../domain/redact.js';
import { consequenceScope, renderConsequence } from '../domain/render-consequence.js';
import { shadowDecision } from '../domain/shadow.js';
import type { ActionStore } from '../ports/action-store.js';
import type { AgentIdentity } from '../ports/agent-store.js';
import type { ApprovalDispatcher } from '../ports/approval-dispatcher.js';
import type { CallbackTargets } from '../ports/callback-targets.js';
import type { ChatPlatforms } from '../ports/chat-platform.js';
import type { Clock } from '../ports/clock.js';
import type { OverridesStore } from '../ports/overrides-store.js';
import type { PolicySource } from '../ports/policy-source.js';
import { noTracing, type TraceContext, type Tracer } from '../ports/tracer.js';
import { CARD_GRACE_MS } from './card-timing.js';
import { SPAN, actionAttributes, decisionAttributes } from './span-attributes.js';

export interface SubmitActionInput {
  tool: string;
  args: Record<string, unknown>;
  summary?: string;
  requester: Requester;
  workflow?: string;
  environment: string;
  session_id?: string;
  context: Record<string, unknown>;
  callback_url?: string;
  target?: string;
}

export interface SubmitActionDeps {
  store: ActionStore;
  overrides: OverridesStore;
  policy: PolicySource;
  clock: Clock;
  digests: ArgsDigests;
  dispatcher: ApprovalDispatcher;
  /** Refuses callback URLs with credentials or to internal addresses before anything is recorded. */
  callbackTargets: CallbackTargets;
  /** Which chat platforms show a reviewer group's cards (those configured in this deployment). */
  platforms: Pick<ChatPlatforms, 'targetsOf'>;
  /**
   * A candidate policy every request is also evaluated against after its
   * real decision (`POLICY_SHADOW_FILE`): recorded, never enforced, never in
   * the answer. Absent or answering undefined: no shadow.
   */
  shadow?: { current(): Policy | undefined };
  /** Called after the decision is durable (e.g. to seal the audit chain, count metrics). */
  onRecorded?: (action: Action) => void;
  onDispatchError?: (action: Action, err: unknown) => void;
  /** Each decision is a span continuing the agent's trace; its context is stored with the action for the work that follows. */
  tracer?: Tracer;
}

export interface SubmitActionResult {
  action: Action;
  replayed: boolean;
}

const MAX_STALE_RETRIES = 5;

export function makeSubmitAction(deps: SubmitActionDeps) {
  const tracer = deps.tracer ?? noTracing;
  /** `trace`: the agent's W3C trace context (its request headers, tracestate already bounded), which the intake span continues. */
  return function submitAction(agent: AgentIdentity, input: SubmitActionInput, idempotencyKey?: string, trace?: TraceContext): Promise<SubmitActionResult> {
    const attributes = { 'airlock.tenant': agent.tenant, 'gen_ai.agent.name': agent.name, 'gen_ai.tool.name': input.tool };
    return tracer.span(SPAN.intake, { kind: 'server', parent: trace, attributes }, async (span) => {
      const result = await decide(agent, input, idempotencyKey, span.context());
      span.set({ ...actionAttributes(result.action), ...decisionAttributes(result.action), 'airlock.replayed': result.replayed });
      return result;
    });
  };

  async function decide(agent: AgentIdentity, input: SubmitActionInput, idempotencyKey: string | undefined, trace: TraceContext | undefined): Promise<SubmitActionResult> {
    const started = deps.clock.now();
    checkCallbackUrl(deps.callbackTargets, input.callback_url);
    // Only an Idempotency-Key replay needs the body's digest (keyed: the body holds redacted values).
    const requestHash = idempotencyKey ? deps.digests.request(input) : undefined;
    if (idempotencyKey && requestHash) {
      const replay = await findReplay(deps.store, agent, idempotencyKey, requestHash);
      if (replay) return { action: replay, replayed: true };
    }

    for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt++) {
      const policy = deps.policy.current();
      const tenantPolicy = policy.tenants.get(agent.tenant);
      if (!tenantPolicy) {
        throw new AirlockError('forbidden', `tenant ${agent.tenant} of this agent key is not declared in the policy`);
      }
      checkRequest(tenantPolicy.environments, policy.tools.get(input.tool), input);
      const overrides = await deps.overrides.get(agent.tenant);
      const request: EvaluationRequest = {
        tenant: agent.tenant,
        agent: agent.name,
        tool: input.tool,
        args: input.args,
        context: input.context,
        requester: { ...input.requester },
        workflow: input.workflow ?? '',
        environment: input.environment,
        sessionId: input.session_id,
      };
      let decided = evaluatePolicy({ policy, overrides, request });
      const tool = policy.tools.get(input.tool);
      const group = tool?.approval ? tenantPolicy.reviewerGroups.get(tool.approval.reviewers) : undefined;
      if (decided.decision === 'queue_for_approval' && tool?.approval && group) {
        const pending = await deps.store.pendingCount(agent.tenant, tool.approval.reviewers, group.maxPending);
        decided = evaluatePolicy({ policy, overrides, request, pendingByGroup: new Map([[tool.approval.reviewers, pending]]) });
      }

      const shadowPolicy = deps.shadow?.current();
      const shadow = shadowPolicy ? shadowDecision(shadowPolicy, overrides, request) : undefined;

      const now = deps.clock.now();
      const redact = tool?.redact ?? [];
      // Nothing to mask: the arguments are their own redacted view (no copy, one canonical form for both digests).
      const redacted = redact.length > 0 ? redactArgs(input.args, redact) : input.args;
      const digests = deps.digests.submission(input.args, redacted);
      const submittedArgsDigest = digests.submitted;
      const queued = decided.decision === 'queue_for_approval';
      const cardPlatforms = queued && group ? deps.platforms.targetsOf(group) : [];
      const action: Action = {
        id: randomUUID(),
        tenant: agent.tenant,
        agent: agent.name,
        tool: input.tool,
        status: queued ? 'pending' : 'decided',
        decision: decided.decision,
        mode: decided.mode,
        reasons: decided.reasons,
        rule: decided.rule,
        hardBoundary: decided.hardBoundary,
        policyVersion: policyVersion(policy, overrides),
        args: redacted,
        argsSha256: digests.binding,
        submittedArgsDigest,
        argsVersion: 1,
        argsEdits: [],
        redact,
        cardPlatforms,
        summary: input.summary,
        requester: input.requester,
        workflow: input.workflow,
        environment: input.environment,
        sessionId: input.session_id,
        context: input.context,
        callbackUrl: input.callback_url,
        target: input.target,
        risk: tool?.risk ?? 'high',
        effects: tool?.effects ?? [],
        consequence: renderConsequence(tool?.consequence, consequenceScope({ ...request, workflow: input.workflow, args: redacted })),
        reviewerGroup: queued ? tool?.approval?.reviewers : undefined,
        requiredApprovals: queued ? tool?.approval?.required : undefined,
        escalated: false,
        round: 0,
        approvals: [],
        remindAt: queued && tool?.approval?.remindAfterMs !== undefined ? new Date(now.getTime() + tool.approval.remindAfterMs) : undefined,
        expiresAt: queued && tool?.approval ? new Date(now.getTime() + tool.approval.timeoutMs) : undefined,
        createdAt: now,
        decidedAt: queued ? undefined : now,
        reviews: [],
        latencyMs: now.getTime() - started.getTime(),
        ...(shadow ? { shadow } : {}),
        ...trace,
      };
      const outcome = await deps.store.record({
        action,
        audit: decisionEvent(action, action.latencyMs ?? 0, decided.rollout),
        idempotencyKey,
        requestHash,
        overridesVersion: overrides.version,
        cardsDueAt: cardPlatforms.length > 0 ? new Date(now.getTime() + CARD_GRACE_MS) : undefined,
        argsJson: digests.viewJson,
        ...(agent.keyId ? { agentKeyId: agent.keyId } : {}),
      });
      if (outcome.kind === 'key_revoked') throw new AirlockError('unauthenticated', 'unknown, revoked or expired agent key');
      if (outcome.kind === 'stale_overrides') {
        deps.overrides.invalidate(agent.tenant);
        continue;
      }
      if (outcome.kind === 'idempotency_key_taken') {
        const replay = await findReplay(deps.store, agent, idempotencyKey!, requestHash!);
        if (replay) return { action: replay, replayed: true };
        throw new AirlockError('unavailable', 'idempotency key was taken concurrently but cannot be read back', { retry: true });
      }
      deps.onRecorded?.(action);
      if (queued) {
        try {
          await deps.dispatcher.actionQueued(action);
        } catch (err) {
          // Durable already: the reconciler dispatches pending actions that have no card.
          deps.onDispatchError?.(action, err);
        }
      }
      return { action, replayed: false };
    }
    throw new AirlockError('unavailable', 'policy overrides kept changing while deciding; retry', { retry: true });
  }
}

/**
 * Input the policy cannot judge is refused before anything is decided or
 * written: an environment the tenant does not declare (exact match: an
 * agent's `"Production "` must not slip past rules written for
 * `production`), and arguments that break the tool's `args_schema`.
 */
function checkRequest(environments: ReadonlySet<string>, tool: ToolPolicy | undefined, input: SubmitActionInput) {
  if (!environments.has(input.environment)) {
    throw new AirlockError('validation_failed', 'environment is not one of the tenant\'s environments', {
      details: [{ path: 'body.environment', message: `must be one of: ${[...environments].join(', ')}` }],
    });
  }
  const issues = tool?.checkArgs?.(input.args) ?? [];
  if (issues.length > 0) {
    throw new AirlockError('validation_failed', `args do not match the args_schema of ${tool!.name}`, {
      details: issues.map((i) => ({ path: i.path ? `body.args.${i.path}` : 'body.args', message: i.message })),
    });
  }
}

function checkCallbackUrl(targets: CallbackTargets, url: string | undefined) {
  const refused = url === undefined ? undefined : targets.refusal(url);
  if (refused) {
    throw new AirlockError('validation_failed', 'callback_url is refused', { details: [{ path: 'body.callback_url', message: refused }] });
  }
}

async function findReplay(store: ActionStore, agent: AgentIdentity, key: string, requestHash: string): Promise<Action | undefined> {
  const existing = await store.findByIdempotencyKey(agent.tenant, agent.name, key);
  if (!existing) return undefined;
  if (existing.requestHash !== requestHash) {
    throw new AirlockError('idempotency_conflict', 'this Idempotency-Key was already used with a different request body', {
      context: { action_id: existing.action.id },
    });
  }
  return existing.action;
}
