import { createTeamsApp, type TeamsAdapter } from '../../adapters/teams/teams-app.js';
import type { TeamsPorts } from '../../adapters/teams/teams-ports.js';
import { PgChatEndpointStore } from '../infra/postgres/chat-endpoint-repository.js';
import { PgSeenActivities } from '../infra/postgres/seen-activities.js';
import type { SendPacer } from '../ports/send-pacer.js';
import { makeRememberChatEndpoint } from '../usecases/remember-chat-endpoint.js';
import { makeShowCard } from '../usecases/show-card.js';
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
  const directory = { name: 'teams', tenantOf: (p: Parameters<TeamsAdapter['platform']['tenantOf']>[0], aadTenantId: string) => adapter.platform.tenantOf(p, aadTenantId) };
  const showCard = makeShowCard({ actions, policy });

  const ports: TeamsPorts = {
    ...useCases,
    cardFor: async (aadTenantId, actionId, round) => {
      const tenant = directory.tenantOf(policy.current(), aadTenantId);
      return tenant ? showCard(tenant.id, actionId, round) : undefined;
    },
    serviceUrlSeen: makeRememberChatEndpoint({ endpoints, clock, policy, directory }),
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
