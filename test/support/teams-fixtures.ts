import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FakeBotFramework, TeamsMember } from '../fakes/fake-bot-framework.js';

/**
 * The Teams identities and recorded activities tests and benchmarks share.
 * Free of vitest, so bench/teams.ts can use it outside a test run.
 */

/** The app id the fixtures' `recipient` (28:<app id>) names. */
export const TEAMS_APP_ID = '00000000-0000-4000-8000-00000000a11c';
export const TEAMS_APP_PASSWORD = 'test-app-password-never-logged-7f3a';
export const ACME_AAD_TENANT = 'aad-tenant-acme';

export const TEAMS_MEMBERS: TeamsMember[] = [
  { id: '29:1lead1pairwiseXk4mE8yZ3wF0qJ9sR2tU5vB7nC6dA1', name: 'Lea Lead', aadObjectId: 'aad-lead-1', userPrincipalName: 'lea@acme.test' },
  { id: '29:1lead2pairwiseQp7wE2rT9yU4iO1pA3sD5fG8hJ0kL', name: 'Lou Lead', aadObjectId: 'aad-lead-2', userPrincipalName: 'lou@acme.test' },
  { id: '29:1adminpairwiseZx9cV8bN7mQ6wE5rT4yU3iO2pA1sD0', name: 'Ada Admin', aadObjectId: 'aad-admin', userPrincipalName: 'ada@acme.test' },
  { id: '29:1fin1pairwiseHj3kL5zX7cV9bN1mQ2wE4rT6yU8iO0p', name: 'Fay Finance', aadObjectId: 'aad-fin-1', userPrincipalName: 'fay@acme.test' },
  { id: '29:1fin2pairwiseAs2dF4gH6jK8lZ0xC1vB3nM5qW7eR9t', name: 'Finn Finance', aadObjectId: 'aad-fin-2', userPrincipalName: 'finn@acme.test' },
];

/**
 * A recorded Teams activity (test/fixtures/teams) with the test's action id
 * and the fake's serviceUrl, under an id of its own: each call is a new
 * activity, as each real click or message is (Airlock handles an activity id once).
 */
export function teamsActivity(fixture: string, fake: FakeBotFramework, patch: { actionId?: string; round?: number; from?: Record<string, unknown>; tenant?: string; text?: string; region?: string } = {}) {
  const a = JSON.parse(readFileSync(`test/fixtures/teams/${fixture}.json`, 'utf8')) as Record<string, any>;
  a.serviceUrl = fake.serviceUrl(patch.region ?? 'teams');
  a.id = a.type === 'invoke' ? `f:${randomUUID()}` : String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
  if (patch.actionId !== undefined) a.value.action.data.actionId = patch.actionId;
  if (patch.round !== undefined) a.value.action.data.round = patch.round;
  if (patch.from) a.from = { ...a.from, ...patch.from };
  if (patch.tenant) a.channelData.tenant.id = patch.tenant;
  if (patch.text !== undefined) a.text = patch.text;
  return a;
}
