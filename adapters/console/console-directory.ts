import type { ReviewerIdentity } from '../../src/domain/action.js';
import { inAudience, reviewsInConsole } from '../../src/domain/console-access.js';
import type { Policy, ReviewerGroup, TenantPolicy } from '../../src/domain/policy-model.js';
import type { ChatDirectory } from '../../src/ports/chat-platform.js';

/**
 * The web console as a reviewer platform, so a decision made there goes
 * through the same review use case as a chat click. Its "workspace" is the
 * tenant the person chose at sign-in (the console checked they may enter
 * it); its user id is the email the identity provider verified, and a
 * member is whoever the group's `console` names by that email or by one of
 * the IdP groups the console read at sign-in. It posts no card: approvals
 * come to its inbox.
 */
export const consoleDirectory: ChatDirectory = {
  name: 'console',
  targets: (group: ReviewerGroup) => group.console !== undefined,
  tenantOf: (policy: Policy, tenantId: string) => policy.tenants.get(tenantId),
  workspaceOf: (tenant: TenantPolicy) => tenant.id,
  isMember: async (group: ReviewerGroup, reviewer: ReviewerIdentity) => reviewsInConsole(group, reviewer.email?.toLowerCase(), reviewer.groups ?? []),
  isAdmin: (tenant: TenantPolicy, userId: string) => inAudience(tenant.console.admins, userId.toLowerCase(), []),
  emailOf: async (reviewer: ReviewerIdentity) => (reviewer.email ? { email: reviewer.email } : { unreadable: 'the identity provider did not verify an email for this person' }),
};
