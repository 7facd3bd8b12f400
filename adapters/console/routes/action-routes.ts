import type { FastifyInstance } from 'fastify';
import { cardFor } from '../../../src/domain/approval-card.js';
import { accessTo } from '../../../src/domain/console-access.js';
import type { ConsoleDeps } from '../console-deps.js';
import { actionPage } from '../pages/action.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { signedIn } from '../session.js';
import { refuseEntry } from './reader-access.js';

/**
 * One action's page: for the tenant's auditors and admins any action, for a
 * reviewer those of their groups. Anything else, in this tenant or another,
 * is not found, exactly like an action that never existed (someone with no
 * role in any tenant is told that instead).
 */
export function actionRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  app.get('/t/:tenant/actions/:id', async (req, reply) => {
    const { tenant, id } = req.params as { tenant: string; id: string };
    const s = signedIn(req, deps.clock.now().getTime())!;
    const policy = deps.policy.current();
    const access = accessTo(policy, s.who, tenant);
    const action = access ? await deps.getAction(access.tenant, id) : undefined;
    const member = action?.reviewerGroup !== undefined && (access?.reviews.includes(action.reviewerGroup) ?? false);
    if (!access || !action || !(access.reads || member)) return refuseEntry(deps, req, reply, s, access);
    const story = await deps.actionStory(access.tenant, action.id);
    const card = cardFor(policy, action)?.card;
    return sendPage(reply, 200, actionPage({ tenant: access.tenant, action, ...(card ? { card } : {}), decides: member, ...(story ? { story } : {}) }, chromeFor(req, reply, s, policy, access)));
  });
}
