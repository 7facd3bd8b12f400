import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReviewerIdentity } from '../../../src/domain/action.js';
import { accessTo, tenantGroups, verifiedEmail, type TenantAccess } from '../../../src/domain/console-access.js';
import { toPlainText } from '../../../src/domain/message.js';
import type { ReviewResult } from '../../../src/usecases/record-review.js';
import type { ConsoleDeps } from '../console-deps.js';
import { inboxPage } from '../pages/inbox.js';
import { badRequest } from '../pages/notices.js';
import { chromeFor, sendPage } from '../reply-page.js';
import { safeNext, signedIn, type Flash, type SignedIn } from '../session.js';
import { refuseEntry } from './reader-access.js';

/** Cards shown at once; the rest wait their turn (oldest first). */
const INBOX_PAGE = 50;

type Form = Record<string, string | undefined>;

/** The inbox, and deciding from it through the same review use case as a chat click. */
export function inboxRoutes(app: FastifyInstance, deps: ConsoleDeps) {
  const now = () => deps.clock.now().getTime();

  /** The tenant of the URL, if this person may enter it; otherwise turned away (refuseEntry). */
  const enter = (req: FastifyRequest, reply: FastifyReply): { s: SignedIn; access: TenantAccess } | undefined => {
    const s = signedIn(req, now())!;
    const access = accessTo(deps.policy.current(), s.who, (req.params as { tenant: string }).tenant);
    if (access) return { s, access };
    void refuseEntry(deps, req, reply, s, access);
    return undefined;
  };

  app.get('/t/:tenant/inbox', async (req, reply) => {
    const entered = enter(req, reply);
    if (!entered) return reply;
    const { s, access } = entered;
    const list = await deps.listInbox(access.tenant, access.reviews, INBOX_PAGE);
    return sendPage(reply, 200, inboxPage({ tenant: access.tenant, groups: access.reviews, ...list }, chromeFor(req, reply, s, deps.policy.current(), access)));
  });

  app.post('/t/:tenant/actions/:id/review', async (req, reply) => {
    const entered = enter(req, reply);
    if (!entered) return reply;
    const { s, access } = entered;
    const form = (req.body ?? {}) as Form;
    const decision = form.decision;
    const argsVersion = Number(form.args_version);
    if ((decision !== 'approve' && decision !== 'deny') || !Number.isSafeInteger(argsVersion)) {
      return sendPage(reply, 400, badRequest('The form was incomplete (a decision and the argument version it was shown for are needed). Nothing was changed.'));
    }
    const tenant = deps.policy.current().tenants.get(access.tenant)!;
    const email = verifiedEmail(s.who);
    const groups = tenantGroups(tenant, s.who);
    const reviewer: ReviewerIdentity = {
      platform: 'console',
      // The verified email is the person's id here (what self-approval and quorum compare); without one, the IdP's subject.
      userId: email ?? `${s.who.issuer}#${s.who.subject}`,
      teamId: access.tenant,
      ...(email ? { email } : {}),
      ...(s.who.name ? { name: s.who.name } : {}),
      ...(groups.length > 0 ? { groups } : {}),
    };
    const edits = Object.fromEntries(
      Object.entries(form)
        .filter(([k, v]) => k.startsWith('edit:') && typeof v === 'string' && v !== '')
        .map(([k, v]) => [k.slice('edit:'.length), v!]),
    );
    const result = await deps.recordReview({
      reviewer,
      actionId: (req.params as { id: string }).id,
      decision,
      ...(form.reason ? { reason: form.reason } : {}),
      argsVersion,
      ...(Object.keys(edits).length > 0 ? { edits } : {}),
    });
    req.session.set('flash', flashOf(result));
    return reply.redirect(safeNext(form.back), 303);
  });
}

/** What the reviewer is told on the next page: the use case's own words for a refusal. */
function flashOf(r: ReviewResult): Flash {
  if (r.kind !== 'accepted') return { tone: 'refused', text: toPlainText(r.message) };
  const { action } = r;
  if (r.decided) return { tone: 'ok', text: `${action.status === 'approved' ? 'Approved' : 'Denied'}: ${action.tool} (${action.id}).` };
  const counted = new Set(action.approvals).size;
  return { tone: 'ok', text: `Your approval of ${action.tool} (${action.id}) counted: ${counted} of ${action.requiredApprovals ?? 1} approvals.` };
}
