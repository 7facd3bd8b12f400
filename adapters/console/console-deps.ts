import type { Logger } from 'pino';
import type { Action } from '../../src/domain/action.js';
import type { ActionStory } from '../../src/domain/action-story.js';
import type { CardContent } from '../../src/ports/chat-platform.js';
import type { Clock } from '../../src/ports/clock.js';
import type { PolicySource } from '../../src/ports/policy-source.js';
import type { TenantActionFilters, TenantActionPage } from '../../src/usecases/list-tenant-actions.js';
import type { ReviewCommand, ReviewResult } from '../../src/usecases/record-review.js';
import type { OidcSettings } from './identity-provider.js';
import type { OversightDeps } from './oversight-deps.js';

/** What main gives the console: its settings and the use cases it calls (it reads no store itself). */
export interface ConsoleDeps extends OversightDeps {
  oidc: Omit<OidcSettings, 'redirectUri'>;
  /** PUBLIC_URL: the redirect URI is built on it, and its scheme and host decide whether cookies are Secure. */
  publicUrl: string;
  /** AIRLOCK_SECRET: the session cookie's key is derived from it. */
  secret: string;
  policy: PolicySource;
  clock: Clock;
  log: Logger;
  listInbox(tenant: string, groups: readonly string[], limit: number): Promise<{ total: number; items: CardContent[] }>;
  recordReview(cmd: ReviewCommand): Promise<ReviewResult>;
  getAction(tenant: string, id: string): Promise<Action | undefined>;
  /** The action's story from the tenant's audit trail (as `airlock audit show` tells it). */
  actionStory(tenant: string, id: string): Promise<ActionStory | undefined>;
  /** The tenant's actions, newest first, a page at a time (the activity page and its exports). */
  listActivity(tenant: string, filters: TenantActionFilters, page: { limit: number; cursor?: string }): Promise<TenantActionPage>;
}
