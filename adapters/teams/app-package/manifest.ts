/**
 * The Teams app manifest (the app package's manifest.json) for Airlock's bot.
 * Pure: `npm run teams:package` (scripts/teams-package.ts) fills it in and
 * zips it with the icons.
 */
export const MANIFEST_VERSION = '1.22';
export const MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** What `@Airlock` offers in the compose box; Teams shows at most 10 per scope. Same commands as `/airlock` in Slack. */
export const BOT_COMMANDS = [
  { title: 'ids', description: 'Show this conversation’s id, the AAD tenant id and your AAD object id (for the policy)' },
  { title: 'status', description: 'Incident state, denied tools, killed agents, pending approvals' },
  { title: 'pending', description: 'The open approvals' },
  { title: 'deny-tool', description: 'deny-tool <tool> [reason]: deny a tool tenant-wide' },
  { title: 'allow-tool', description: 'allow-tool <tool>: lift the denial' },
  { title: 'incident', description: 'incident on [reason] | incident off' },
  { title: 'kill-agent', description: 'kill-agent <agent> [reason]: deny everything an agent asks' },
  { title: 'revive-agent', description: 'revive-agent <agent>: let the agent act again' },
  { title: 'mode', description: 'mode <tool> <mode>: change a tool’s runtime mode' },
  { title: 'help', description: 'The admin commands' },
] as const;

export interface ManifestOptions {
  /** The bot's Microsoft App ID (TEAMS_APP_ID); also the app's id. */
  appId: string;
  /** Airlock's public https base URL (PUBLIC_URL): its host is the app's only valid domain. */
  publicUrl: string;
  /** The package's version (x.y.z); Teams wants it raised for every upload. */
  version: string;
  developerName?: string;
}

export function buildManifest(o: ManifestOptions) {
  const base = new URL(o.publicUrl);
  if (base.protocol !== 'https:') throw new Error('PUBLIC_URL must be https for a Teams app');
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(o.appId)) throw new Error('TEAMS_APP_ID must be the bot’s Microsoft App ID (a GUID)');
  if (!/^\d+\.\d+\.\d+$/.test(o.version)) throw new Error('the app version must be x.y.z');
  const page = (path: string) => new URL(path, base).toString();
  return {
    $schema: MANIFEST_SCHEMA,
    manifestVersion: MANIFEST_VERSION,
    version: o.version,
    id: o.appId,
    developer: {
      name: o.developerName ?? 'Airlock',
      websiteUrl: page('/'),
      privacyUrl: page('/'),
      termsOfUseUrl: page('/'),
    },
    name: { short: 'Airlock', full: 'Airlock approval gate for AI agents' },
    description: {
      short: 'Approve or deny risky actions of AI agents.',
      full: 'Airlock posts an approval card for every risky action an AI agent wants to take. Reviewers approve or deny it with a button; admins deny tools or start incident mode with @Airlock commands. Every decision is audited.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#1F4E79',
    bots: [
      {
        botId: o.appId,
        scopes: ['team', 'groupChat', 'personal'],
        isNotificationOnly: false,
        supportsFiles: false,
        commandLists: [{ scopes: ['team', 'groupChat', 'personal'], commands: BOT_COMMANDS.map((c) => ({ ...c })) }],
      },
    ],
    validDomains: [base.host],
  };
}
