import type { FastifyReply, FastifyRequest } from 'fastify';
import { consoleAccess, type TenantAccess } from '../../src/domain/console-access.js';
import type { Policy } from '../../src/domain/policy-model.js';
import type { Html } from './html.js';
import type { Chrome } from './pages/layout.js';
import type { SignedIn } from './session.js';

/** A page, never cached: console pages carry what one person may see. */
export const sendPage = (reply: FastifyReply, status: number, page: Html) =>
  reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(page.text);

/** The header of a signed-in page; takes the one-time message out of the session. */
export function chromeFor(req: FastifyRequest, reply: FastifyReply, signedIn: SignedIn, policy: Policy, tenant?: TenantAccess): Chrome {
  const flash = req.session.get('flash');
  if (flash) req.session.set('flash', undefined);
  return {
    signedIn,
    csrf: reply.generateCsrf(),
    tenants: consoleAccess(policy, signedIn.who).length,
    ...(tenant ? { tenant: tenant.tenant, reads: tenant.reads } : {}),
    ...(flash ? { flash } : {}),
  };
}
