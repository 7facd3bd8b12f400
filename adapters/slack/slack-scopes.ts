/**
 * The bot scopes Airlock asks for when it is installed: the same list as
 * `oauth_config.scopes.bot` in manifest.yml (test/unit/manifest.test.ts
 * keeps the two equal), so an install through /slack/install grants what a
 * manifest install does.
 */
export const BOT_SCOPES = [
  'chat:write',
  'commands',
  'users:read',
  'users:read.email',
  'usergroups:read',
  'channels:history',
  'groups:history',
] as const;
