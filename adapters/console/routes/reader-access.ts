import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessTo, type TenantAccess } from '../../../src/domain/console-access.js';
import type { ConsoleDeps } from '../console-deps.js';
import { notFound } from '../pages/notices.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { signedIn, type SignedIn } from '../session.js';

/**
 * The tenant of the URL for someone who reads it (an auditor or an admin).
 * Anyone else, a reviewer of the tenant included, gets the page that says
 * there is nothing here: what they may not see does not show it exists.
 */
export function enterAsReader(deps: ConsoleDeps, req: FastifyRequest, reply: FastifyReply): { s: SignedIn; access: TenantAccess } | undefined {
  const s = signedIn(req, deps.clock.now().getTime())!;
  const access = accessTo(deps.policy.current(), s.who, (req.params as { tenant: string }).tenant);
  if (!access?.reads) {
    void sendPage(reply, 404, notFound(chromeFor(req, reply, s, deps.policy.current(), access)));
    return undefined;
  }
  return { s, access };
}
