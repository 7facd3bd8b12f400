import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../adapters/slack/slack-scopes.js';

interface SlackManifest {
  display_information?: { name?: string };
  features?: { slash_commands?: { command?: string; url?: string }[] };
  oauth_config?: { redirect_urls?: string[]; scopes?: { bot?: string[] } };
  settings?: {
    interactivity?: { is_enabled?: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    org_deploy_enabled?: boolean;
  };
}

const manifestPath = new URL('../../manifest.yml', import.meta.url);
const load = (): SlackManifest => parse(readFileSync(manifestPath, 'utf8')) as SlackManifest;

describe('Slack app manifest', () => {
  it('parses as a YAML mapping', () => {
    const manifest = load();
    expect(manifest).toBeTypeOf('object');
    expect(manifest).not.toBeNull();
  });

  it('names the app', () => {
    expect(load().display_information?.name).toBeTruthy();
  });

  it('asks for the bot scopes Airlock needs', () => {
    const scopes = load().oauth_config?.scopes?.bot ?? [];
    expect(scopes).toEqual(
      expect.arrayContaining(['chat:write', 'commands', 'users:read', 'users:read.email', 'usergroups:read']),
    );
  });

  it('asks for exactly the scopes an install through /slack/install asks for', () => {
    expect([...(load().oauth_config?.scopes?.bot ?? [])].sort()).toEqual([...BOT_SCOPES].sort());
  });

  it('sends installs back to /slack/oauth_redirect, and uninstalls and revoked tokens to /slack/events', () => {
    const manifest = load();
    expect(manifest.oauth_config?.redirect_urls).toEqual([expect.stringMatching(/\/slack\/oauth_redirect$/)]);
    expect(manifest.settings?.event_subscriptions?.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings?.event_subscriptions?.bot_events).toEqual(expect.arrayContaining(['app_uninstalled', 'tokens_revoked', 'team_access_granted', 'team_access_revoked']));
    expect(manifest.settings?.org_deploy_enabled).toBe(true);
  });

  it('sends /airlock and interactivity to /slack/events', () => {
    const manifest = load();
    const command = manifest.features?.slash_commands?.find((c) => c.command === '/airlock');
    expect(command?.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.settings?.interactivity?.request_url).toMatch(/\/slack\/events$/);
  });
});
