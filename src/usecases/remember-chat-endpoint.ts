import type { ChatDirectory } from '../ports/chat-platform.js';
import type { ChatEndpointStore } from '../ports/chat-endpoint-store.js';
import type { Clock } from '../ports/clock.js';
import type { PolicySource } from '../ports/policy-source.js';

/**
 * Keeps the endpoint an authenticated request came through as its
 * workspace's latest, for a workspace the policy gives a tenant only: an
 * unknown workspace must not fill the table. The adapter vouches for the URL
 * (signed request, https) before calling.
 */
export function makeRememberChatEndpoint(deps: { endpoints: ChatEndpointStore; clock: Clock; policy: PolicySource; directory: Pick<ChatDirectory, 'name' | 'tenantOf'> }) {
  return async function rememberChatEndpoint(workspaceId: string, url: string): Promise<void> {
    if (!deps.directory.tenantOf(deps.policy.current(), workspaceId)) return;
    await deps.endpoints.seen(deps.directory.name, workspaceId, url, deps.clock.now());
  };
}
