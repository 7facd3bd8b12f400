import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessTo, type TenantAccess } from '../../../src/domain/console-access.js';
import type { ConsoleDeps } from '../console-deps.js';
import { noRole, notFound } from '../pages/notices.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { signedIn, type SignedIn } from '../session.js';

/**
 * Turns a signed-in person away from a tenant's page: "not found" (whether
 * the tenant or the thing exists or not), except for a person the policy gives
 * no role in any tenant, who is told so, as a chat click from a workspace no
 * tenant is connected to is: that says nothing about the tenant. `refused`
 * when what they sent (a form) was turned away.
 */
export function refuseEntry(deps: ConsoleDeps, req: FastifyRequest, reply: FastifyReply, s: SignedIn, access: TenantAccess | undefined): FastifyReply {
  const chrome = chromeFor(req, reply, s, deps.policy.current(), access);
  if (chrome.tenants === 0) return sendPage(reply, 403, noRole(s.who.email ?? s.who.subject, chrome, req.method === 'POST'));
  return sendPage(reply, 404, notFound(chrome));
}

/**
 * The tenant of the URL for someone who reads it (an auditor or an admin).
 * Anyone else, a reviewer of the tenant included, is turned away (refuseEntry):
 * what they may not see does not show it exists.
 */
export function enterAsReader(deps: ConsoleDeps, req: FastifyRequest, reply: FastifyReply): { s: SignedIn; access: TenantAccess } | undefined {
  const s = signedIn(req, deps.clock.now().getTime())!;
  const access = accessTo(deps.policy.current(), s.who, (req.params as { tenant: string }).tenant);
  if (!access?.reads) {
    void refuseEntry(deps, req, reply, s, access);
    return undefined;
  }
  return { s, access };
}
