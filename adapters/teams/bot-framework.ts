import { ConfidentialClientApplication } from '@azure/msal-node';
import { CallerIdConstants, CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import {
  AuthenticationConstants,
  BotFrameworkAuthenticationFactory,
  ClaimsIdentity,
  MsalServiceClientCredentialsFactory,
  type AuthenticateRequestResult,
  type BotFrameworkAuthentication,
  type ConnectorClient,
} from 'botframework-connector';

/**
 * Everything of `botbuilder` the Teams adapter uses goes through this file
 * (plus the TurnContext the bot handles), so that moving to
 * `@microsoft/agents-hosting` replaces this file and teams-bot.ts's turn
 * handling, and nothing outside adapters/teams.
 */
export interface BotFrameworkConfig {
  appId: string;
  appPassword: string;
  /** Single-tenant bot: its AAD tenant. Multi-tenant when unset. */
  appTenantId?: string;
  /** TEAMS_OPENID_METADATA_URL: where the keys that sign channel tokens are published. */
  openIdMetadataUrl: string;
  /** TEAMS_LOGIN_URL: the authority the bot gets its own token from (https). */
  loginUrl: string;
}

/** Channel tokens are issued by this issuer and no other (no emulator or AAD-issuer path). */
export const CHANNEL_TOKEN_ISSUER = AuthenticationConstants.ToBotFromChannelTokenIssuer;
/** The audience of the bot's own token for connector calls. */
const CONNECTOR_SCOPE = AuthenticationConstants.ToChannelFromBotOAuthScope;

/** CloudAdapter whose turn entry point takes an already authenticated request. */
class AirlockCloudAdapter extends CloudAdapter {
  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

export interface BotFramework {
  /** botbuilder's own validation of an inbound request; throws on any failure. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult>;
  /** Runs one turn of an authenticated activity; the invoke response, if the bot set one. */
  runTurn(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined>;
  /** A connector client for proactive calls at `serviceUrl`, carrying the bot's token. */
  connector(serviceUrl: string): Promise<ConnectorClient>;
  /** The connector client of the current turn (same token, the activity's serviceUrl). */
  turnConnector(context: TurnContext): ConnectorClient;
  /** Gets the bot's own token from the login authority: the start-up check of the app id, password and TEAMS_LOGIN_URL. */
  login(): Promise<void>;
}

/**
 * The bot's identity and Bot Framework endpoints. The bot's token comes from
 * an MSAL client we build ourselves, so that the login host is trusted as
 * given (`knownAuthorities`: no instance discovery against Microsoft) and
 * every connector call carries it. Inbound tokens are validated against
 * TEAMS_OPENID_METADATA_URL with the channel issuer; every other endpoint
 * keeps botbuilder's public-cloud default.
 */
export function createBotFramework(config: BotFrameworkConfig): BotFramework {
  const loginUrl = new URL(config.loginUrl);
  if (loginUrl.protocol !== 'https:') throw new Error('TEAMS_LOGIN_URL must be https');
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: config.appId,
      clientSecret: config.appPassword,
      authority: config.loginUrl,
      knownAuthorities: [loginUrl.host],
    },
    // MSAL's own logging can include request details; Airlock logs what it needs itself.
    system: { loggerOptions: { piiLoggingEnabled: false, logLevel: 0, loggerCallback: () => undefined } },
  });
  // botbuilder's typings name MSAL's CommonJS build; this is its ESM build of the same class (it only calls acquireTokenByClientCredential).
  const credentials = new MsalServiceClientCredentialsFactory(config.appId, msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]);
  const auth: BotFrameworkAuthentication = BotFrameworkAuthenticationFactory.create(
    '',
    true,
    config.loginUrl,
    CONNECTOR_SCOPE,
    CHANNEL_TOKEN_ISSUER,
    AuthenticationConstants.OAuthUrl,
    config.openIdMetadataUrl,
    AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerIdConstants.PublicAzureChannel,
    credentials,
    { requiredEndorsements: [] },
  );
  const adapter = new AirlockCloudAdapter(auth);
  adapter.onTurnError = async (_context, err) => {
    throw err;
  };
  const identity = new ClaimsIdentity([
    { type: AuthenticationConstants.AudienceClaim, value: config.appId },
    { type: AuthenticationConstants.AppIdClaim, value: config.appId },
  ]);
  const factory = auth.createConnectorFactory(identity);

  return {
    authenticate: (activity, authHeader) => auth.authenticateRequest(activity, authHeader),
    runTurn: (result, activity, logic) => adapter.run(result, activity, logic),
    connector: async (serviceUrl) => withoutPipelineRetries(await factory.create(serviceUrl, CONNECTOR_SCOPE)),
    turnConnector: (context) => context.turnState.get(adapter.ConnectorClientKey) as ConnectorClient,
    login: async () => {
      await msal.acquireTokenByClientCredential({ scopes: [`${CONNECTOR_SCOPE}/.default`] });
    },
  };
}

/**
 * Proactive calls retry in one place, connector-retry.ts (Retry-After with a
 * cap, then the queue's own backoff). The Azure pipeline under ConnectorClient
 * retries too (3 times, up to a minute); both together would multiply.
 */
function withoutPipelineRetries(client: ConnectorClient): ConnectorClient {
  const pipeline = (client as unknown as { client?: { pipeline?: { removePolicy(p: { name: string }): unknown } } }).client?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
  return client;
}
