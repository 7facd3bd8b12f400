import { actionStory, type ActionStory } from '../domain/action-story.js';
import { AirlockError } from '../domain/errors.js';
import type { ActionTrail } from '../ports/action-trail.js';
import type { PolicySource } from '../ports/policy-source.js';
import { makeResolveActionId, type ActionIdMatch } from './resolve-action-id.js';

export type StoryLookup = Exclude<ActionIdMatch, { kind: 'one' }> | { kind: 'one'; story: ActionStory };

/**
 * The story of one action, named by its id or a prefix of it as `review
 * list` prints it, told from the tenant's audit trail alone. The tenant must
 * be declared in the policy (a typo never reads as "no such action"); an
 * action of another tenant is not found, exactly like one that never existed.
 */
export function makeShowActionStory(deps: { trail: ActionTrail; policy: PolicySource }) {
  const resolve = makeResolveActionId({ actions: deps.trail });
  return async function showActionStory(tenant: string, idOrPrefix: string): Promise<StoryLookup> {
    const declared = [...deps.policy.current().tenants.keys()];
    if (!declared.includes(tenant)) {
      throw new AirlockError('not_found', `unknown tenant ${JSON.stringify(tenant)}: the policy declares ${declared.map((t) => JSON.stringify(t)).join(', ') || 'none'}`);
    }
    const match = await resolve(tenant, idOrPrefix);
    if (match.kind !== 'one') return match;
    const events = await deps.trail.eventsOf(tenant, match.id);
    return { kind: 'one', story: actionStory(tenant, match.id, events) };
  };
}
