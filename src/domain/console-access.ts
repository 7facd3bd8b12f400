import type { ConsoleAudience, Policy, ReviewerGroup, TenantPolicy } from './policy-model.js';

/**
 * A person signed in to the web console, as their identity provider's ID
 * token described them at sign-in. Nothing here comes from the browser.
 */
export interface ConsoleIdentity {
  issuer: string;
  subject: string;
  email?: string;
  /** The token's `email_verified`: an email the IdP did not verify names nobody. */
  emailVerified: boolean;
  name?: string;
  /** The groups each claim listed, by claim name (a tenant's `identity.groups_claim` picks one). */
  groups: Readonly<Record<string, readonly string[]>>;
}

/** What one person may do in one tenant. A tenant where they may do nothing is never listed. */
export interface TenantAccess {
  tenant: string;
  /** Reads everything of the tenant (auditors, and admins too). */
  reads: boolean;
  admin: boolean;
  /** The reviewer groups whose approvals this person decides in the console. */
  reviews: string[];
}

/** The verified email, lower-cased; undefined when the IdP did not verify it. */
export function verifiedEmail(who: Pick<ConsoleIdentity, 'email' | 'emailVerified'>): string | undefined {
  const email = who.email?.trim().toLowerCase();
  return who.emailVerified && email ? email : undefined;
}

/** The person's groups as the tenant reads them (none unless the tenant names a groups claim). */
export function tenantGroups(tenant: TenantPolicy, who: Pick<ConsoleIdentity, 'groups'>): string[] {
  const claim = tenant.identity?.groupsClaim;
  return claim && Object.hasOwn(who.groups, claim) ? [...(who.groups[claim] ?? [])] : [];
}

/** Whether a verified email or one of the person's groups is named by `audience`. */
export function inAudience(audience: ConsoleAudience | undefined, email: string | undefined, groups: readonly string[]): boolean {
  if (!audience) return false;
  return (email !== undefined && audience.users.includes(email)) || audience.groups.some((g) => groups.includes(g));
}

/** Whether the person decides this reviewer group's approvals in the console. */
export const reviewsInConsole = (group: ReviewerGroup, email: string | undefined, groups: readonly string[]): boolean => inAudience(group.console, email, groups);

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** What the person may do in one tenant; undefined when nothing (or the tenant does not exist). */
export function accessTo(policy: Policy, who: ConsoleIdentity, tenantId: string): TenantAccess | undefined {
  const tenant = policy.tenants.get(tenantId);
  if (!tenant) return undefined;
  // A tenant that names its issuer takes sign-ins from that issuer only.
  if (tenant.identity?.issuer !== undefined && !sameIssuer(tenant.identity.issuer, who.issuer)) return undefined;
  const email = verifiedEmail(who);
  const groups = tenantGroups(tenant, who);
  const admin = inAudience(tenant.console.admins, email, groups);
  const reads = admin || inAudience(tenant.console.auditors, email, groups);
  const reviews = [...tenant.reviewerGroups.values()].filter((g) => reviewsInConsole(g, email, groups)).map((g) => g.name);
  return reads || reviews.length > 0 ? { tenant: tenant.id, reads, admin, reviews } : undefined;
}

/** Every tenant the person may enter, by tenant id. */
export function consoleAccess(policy: Policy, who: ConsoleIdentity): TenantAccess[] {
  return [...policy.tenants.keys()]
    .sort()
    .map((id) => accessTo(policy, who, id))
    .filter((a): a is TenantAccess => a !== undefined);
}

/**
 * The groups worth keeping from a sign-in: only those the policy names, per
 * claim a tenant reads. An IdP may list hundreds; the session keeps only what
 * can grant something (a policy that names a new group takes effect at the
 * person's next sign-in).
 */
export function groupsWorthKeeping(policy: Policy, claims: Readonly<Record<string, unknown>>): Record<string, string[]> {
  const named = new Map<string, Set<string>>();
  for (const tenant of policy.tenants.values()) {
    const claim = tenant.identity?.groupsClaim;
    if (!claim) continue;
    const set = named.get(claim) ?? new Set<string>();
    const add = (a: ConsoleAudience | undefined) => a?.groups.forEach((g) => set.add(g));
    add(tenant.console.auditors);
    add(tenant.console.admins);
    for (const g of tenant.reviewerGroups.values()) add(g.console);
    named.set(claim, set);
  }
  const out: Record<string, string[]> = {};
  for (const [claim, set] of named) {
    const listed = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    const values = Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string') : typeof listed === 'string' ? [listed] : [];
    out[claim] = values.filter((v) => set.has(v));
  }
  return out;
}
