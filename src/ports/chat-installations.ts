/**
 * A chat app installed into one workspace, or into a whole organisation
 * (Slack Enterprise Grid: one token serves every workspace the organisation
 * granted it). The tokens are the only secrets here.
 */
export interface ChatInstallation {
  platform: string;
  /** The workspace; absent for an organisation-wide install. */
  workspaceId?: string;
  /** The organisation the workspace belongs to, if any; for an organisation-wide install, the organisation installed into. */
  orgId?: string;
  orgWide: boolean;
  /** The workspaces an organisation-wide install serves, as the platform last listed them. */
  orgWorkspaces: string[];
  botToken: string;
  /** With token rotation: what gets the next token, and when this one expires. */
  refreshToken?: string;
  expiresAt?: Date;
  /** What the platform said about the install besides tokens (names, app and bot ids, scopes, installer): never a secret. */
  details: Record<string, unknown>;
}

/** Where to look: a workspace (with its organisation when known), or an organisation-wide install (`orgWide`). */
export interface InstallationWhere {
  workspaceId?: string;
  orgId?: string;
  orgWide?: boolean;
}

/** Why no installation serves a workspace. */
export type Unserved =
  /** Never installed, uninstalled, or its token revoked. */
  | 'not_installed'
  /** Installed, but its token was sealed under another AIRLOCK_SECRET: this process cannot read it. */
  | 'other_secret';

/**
 * Installations, their tokens sealed at rest under a key this process
 * derives from AIRLOCK_SECRET (never stored with them). An installation
 * sealed under another secret serves nothing until the app is installed
 * again.
 *
 * Left out on purpose: the OAuth exchange, token refresh and which API
 * calls a token may make (the adapter's, with its SDK); which tenant a
 * workspace belongs to (the policy's).
 */
export interface ChatInstallations {
  /** Creates or replaces the installation of its workspace (or of its organisation, when organisation-wide). */
  save(installation: ChatInstallation): Promise<void>;
  /**
   * The installation serving a workspace: its own, else an organisation-wide
   * install of its organisation (named by `orgId`, or listing the workspace).
   * With `orgWide`, only the organisation's own install.
   */
  find(platform: string, where: InstallationWhere): Promise<ChatInstallation | undefined>;
  /** Removes the workspace's own install (or, with `orgWide`, the organisation's); the number removed. */
  remove(platform: string, where: InstallationWhere): Promise<number>;
  /** Workspaces an organisation-wide install was granted (`add`) or lost (`remove`), as the platform reports them. */
  changeOrgWorkspaces(platform: string, orgId: string, change: { add?: string[]; remove?: string[] }): Promise<void>;
  /** Of these workspaces, those no installation this process can read serves, and why. */
  unserved(platform: string, workspaceIds: readonly string[]): Promise<Map<string, Unserved>>;
}
