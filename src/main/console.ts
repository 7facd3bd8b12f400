import { createConsole, type Console } from '../../adapters/console/console-plugin.js';
import type { ReviewCommand, ReviewResult } from '../usecases/record-review.js';
import { makeListInbox } from '../usecases/list-inbox.js';
import type { Core } from './container.js';

/** The web console when OIDC_ISSUER is set (the env check made sure its client and PUBLIC_URL come with it). */
export function wireConsole(core: Core, useCases: { recordReview(cmd: ReviewCommand): Promise<ReviewResult> }): Console | undefined {
  const { env } = core;
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET || !env.PUBLIC_URL) return undefined;
  return createConsole({
    oidc: { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET },
    publicUrl: env.PUBLIC_URL,
    secret: core.secret,
    policy: core.policy,
    clock: core.clock,
    log: core.log,
    listInbox: makeListInbox({ actions: core.actions, policy: core.policy }),
    recordReview: (cmd) => useCases.recordReview(cmd),
  });
}
