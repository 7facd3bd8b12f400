import { createTeamsApp, type TeamsAdapter } from '../../adapters/teams/teams-app.js';
import type { TeamsPorts } from '../../adapters/teams/teams-ports.js';
import { cardFor } from '../domain/approval-card.js';
import { PgChatEndpointStore } from '../infra/postgres/chat-endpoint-repository.js';
import { PgSeenActivities } from '../infra/postgres/seen-activities.js';
import type { SendPacer } from '../ports/send-pacer.js';
import type { Core } from './container.js';

/**
 * The Microsoft Teams adapter, when TEAMS_APP_ID and
 * TEAMS_APP_PASSWORD are set: the bot endpoint's ports and the notifier's
 * connector URLs. Self-contained so main/approvals.ts only calls it.
 */
export function wireTeams(
  core: Core,
  useCases: Pick<TeamsPorts, 'recordReview' | 'adminCommand'>,
  pacer: SendPacer | undefined,
  serving: boolean,
): (TeamsAdapter & { stop(): void }) | undefined {
  const { env, policy, actions, clock } = core;
  if (!env.TEAMS_APP_ID || !env.TEAMS_APP_PASSWORD) return undefined;
  const endpoints = new PgChatEndpointStore(core.pool);
  // Activities already handled are refused for their token's lifetime, across processes.
  const seenActivities = new PgSeenActivities(core.pool, clock);
  // The platform maps AAD tenants to Airlock tenants; bound once the adapter exists.
  const tenantOf = (aadTenantId: string) => adapter.platform.tenantOf(policy.current(), aadTenantId);

  const ports: TeamsPorts = {
    ...useCases,
    cardFor: async (aadTenantId, actionId, round) => {
      const tenant = tenantOf(aadTenantId);
      const action = tenant ? await actions.get(tenant.id, actionId) : undefined;
      return action ? cardFor(policy.current(), action, Math.min(round, action.round)) : undefined;
    },
    serviceUrlSeen: async (aadTenantId, serviceUrl) => {
      // Only tenants the policy knows: an unknown AAD tenant must not fill the table.
      if (!tenantOf(aadTenantId)) return;
      await endpoints.seen('teams', aadTenantId, serviceUrl, clock.now());
    },
  };

  const adapter = createTeamsApp(
    {
      appId: env.TEAMS_APP_ID,
      appPassword: env.TEAMS_APP_PASSWORD,
      appTenantId: env.TEAMS_APP_TENANT_ID,
      openIdMetadataUrl: env.TEAMS_OPENID_METADATA_URL,
      loginUrl: env.TEAMS_LOGIN_URL,
      auditUrl: env.PUBLIC_URL ? (id) => new URL(`/v1/actions/${id}`, env.PUBLIC_URL).toString() : undefined,
    },
    ports,
    core.log,
    {
      pacer,
      serviceUrlFor: async (tenantId) => {
        const tenant = policy.current().tenants.get(tenantId);
        const workspace = tenant?.workspaces.get('teams');
        if (!workspace) return undefined;
        return (await endpoints.latest('teams', workspace.id)) ?? workspace.endpoint;
      },
    },
    { seenActivities },
  );
  // A short-lived process (the admin CLI) serves no activities and leaves expiry to the servers.
  if (serving) seenActivities.startExpiry((err) => core.log.warn({ err: (err as Error).message }, 'could not expire the Teams activities seen; retrying in a minute'));
  return Object.assign(adapter, { stop: () => seenActivities.stopExpiry() });
}
