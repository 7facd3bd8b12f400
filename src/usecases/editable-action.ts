import type { Action } from '../domain/action.js';
import type { ActionStore } from '../ports/action-store.js';
import type { ChatDirectory } from '../ports/chat-platform.js';
import type { PolicySource } from '../ports/policy-source.js';

/**
 * What an "Approve with changes" form starts from: the pending action of the
 * workspace's tenant and the argument paths its tool lets a reviewer change
 * under the live policy. Undefined when the action is not pending, belongs to
 * another tenant, or its tool allows no edits (the form is then not offered).
 * Deciding still goes through the review use case, which checks everything again.
 */
export function makeEditableAction(deps: { actions: Pick<ActionStore, 'get'>; policy: PolicySource; directory: Pick<ChatDirectory, 'tenantOf'> }) {
  return async function editableAction(workspaceId: string, actionId: string): Promise<{ action: Action; editable: string[] } | undefined> {
    const policy = deps.policy.current();
    const tenant = deps.directory.tenantOf(policy, workspaceId);
    const action = tenant ? await deps.actions.get(tenant.id, actionId) : undefined;
    const editable = action ? (policy.tools.get(action.tool)?.approval?.editable ?? []) : [];
    return action && action.status === 'pending' && editable.length > 0 ? { action, editable } : undefined;
  };
}
