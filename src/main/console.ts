import { createConsole, type Console } from '../../adapters/console/console-plugin.js';
import { PgEvidenceStore } from '../infra/postgres/evidence-repository.js';
import { PgShadowRecords } from '../infra/postgres/shadow-records.js';
import type { ReviewCommand, ReviewResult } from '../usecases/record-review.js';
import { makeReport } from '../usecases/report.js';
import type { AdminActor, AdminReply } from '../usecases/run-admin-command.js';
import { makeShadowReport } from '../usecases/shadow-report.js';
import { PgActionTrail } from '../infra/postgres/action-trail.js';
import { makeListInbox } from '../usecases/list-inbox.js';
import { makeListTenantActions } from '../usecases/list-tenant-actions.js';
import { makeListCursors } from '../domain/list-cursor.js';
import { makeShowActionStory } from '../usecases/show-action-story.js';
import type { Core } from './container.js';

/** The web console when OIDC_ISSUER is set (the env check made sure its client and PUBLIC_URL come with it). */
export function wireConsole(core: Core, useCases: { recordReview(cmd: ReviewCommand): Promise<ReviewResult>; adminCommand(actor: AdminActor, text: string): Promise<AdminReply> }): Console | undefined {
  const { env } = core;
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET || !env.PUBLIC_URL) return undefined;
  const story = makeShowActionStory({ trail: new PgActionTrail(core.pool), policy: core.policy });
  return createConsole({
    oidc: { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET },
    publicUrl: env.PUBLIC_URL,
    secret: core.secret,
    policy: core.policy,
    clock: core.clock,
    log: core.log,
    listInbox: makeListInbox({ actions: core.actions, policy: core.policy }),
    recordReview: (cmd) => useCases.recordReview(cmd),
    report: makeReport({ evidence: new PgEvidenceStore(core.pool), policy: core.policy, clock: core.clock }),
    overrides: (tenant) => core.overrides.get(tenant),
    runAdminCommand: (actor, text) => useCases.adminCommand(actor, text),
    ...(core.shadowPolicy ? { shadow: { version: () => core.shadowPolicy?.current()?.fileVersion, report: makeShadowReport({ records: new PgShadowRecords(core.pool) }) } } : {}),
    getAction: (tenant, id) => core.actions.get(tenant, id),
    listActivity: makeListTenantActions({ store: core.actions, cursors: makeListCursors(core.secret) }),
    // The console names an action by its whole id: a prefix never stands for one.
    actionStory: async (tenant, id) => {
      const found = await story(tenant, id);
      return found.kind === 'one' && found.story.actionId === id ? found.story : undefined;
    },
  });
}
