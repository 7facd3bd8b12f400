import { describe, expect, it } from 'vitest';
import { accessTo, consoleAccess, groupsWorthKeeping, type ConsoleIdentity } from '../../../src/domain/console-access.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const policy = parsePolicy(`
tenants:
  acme:
    identity: { groups_claim: groups }
    console:
      auditors: { users: [Audit@Acme.example], groups: [security] }
      admins: { users: [ops@acme.example], groups: [platform-admins] }
    reviewer_groups:
      leads:
        slack: { channel: C0LEADS, users: [U0LEAD1] }
        console: { users: [lead1@acme.example, both@example.com], groups: [support-leads] }
      finance:
        console: { users: [fin@acme.example] }
      chat-only:
        slack: { channel: C0CHAT, users: [U0CHAT] }
  globex:
    identity: { groups_claim: roles }
    console:
      auditors: { users: [both@example.com] }
    reviewer_groups:
      leads:
        console: { groups: [support-leads] }
  initech:
    identity: { issuer: "https://idp.initech.example/", groups_claim: groups }
    console:
      auditors: { users: [audit@initech.example] }
tools: {}
`);

const person = (over: Partial<ConsoleIdentity> = {}): ConsoleIdentity => ({
  issuer: 'https://idp.example',
  subject: 'sub-1',
  emailVerified: true,
  groups: {},
  ...over,
});

describe('who may do what in the console', () => {
  it.each([
    ['an auditor by email, in any case', person({ email: 'AUDIT@acme.example' }), [{ tenant: 'acme', reads: true, admin: false, reviews: [] }]],
    ['an auditor by IdP group', person({ email: 'x@acme.example', groups: { groups: ['security'] } }), [{ tenant: 'acme', reads: true, admin: false, reviews: [] }]],
    ['an admin reads too', person({ email: 'ops@acme.example' }), [{ tenant: 'acme', reads: true, admin: true, reviews: [] }]],
    ['an admin by group', person({ groups: { groups: ['platform-admins'] } }), [{ tenant: 'acme', reads: true, admin: true, reviews: [] }]],
    ['a reviewer by email', person({ email: 'Lead1@ACME.example' }), [{ tenant: 'acme', reads: false, admin: false, reviews: ['leads'] }]],
    ['a reviewer by group, only for groups with a console target', person({ groups: { groups: ['support-leads'] } }), [{ tenant: 'acme', reads: false, admin: false, reviews: ['leads'] }]],
    [
      'one person in two tenants, each with its own groups claim',
      person({ email: 'both@example.com', groups: { roles: ['support-leads'] } }),
      [
        { tenant: 'acme', reads: false, admin: false, reviews: ['leads'] },
        { tenant: 'globex', reads: true, admin: false, reviews: ['leads'] },
      ],
    ],
    ['an unverified email counts for nothing', person({ email: 'ops@acme.example', emailVerified: false }), []],
    ['a group under a claim the tenant does not read counts for nothing', person({ groups: { roles: ['security'] } }), []],
    ['a chat-only reviewer has no console access', person({ email: 'u0chat@acme.example' }), []],
    ['someone the policy never names', person({ email: 'stranger@elsewhere.example', groups: { groups: ['everyone'] } }), []],
    ['a tenant that names its issuer ignores other issuers', person({ email: 'audit@initech.example' }), []],
    [
      'and takes its own (a trailing slash aside)',
      person({ email: 'audit@initech.example', issuer: 'https://idp.initech.example' }),
      [{ tenant: 'initech', reads: true, admin: false, reviews: [] }],
    ],
  ])('%s', (_what, who, expected) => {
    expect(consoleAccess(policy, who)).toEqual(expected);
  });

  it('answers nothing for a tenant the policy does not declare, or one the person may not enter', () => {
    const lead = person({ email: 'lead1@acme.example' });
    expect(accessTo(policy, lead, 'acme')?.reviews).toEqual(['leads']);
    expect(accessTo(policy, lead, 'globex')).toBeUndefined();
    expect(accessTo(policy, lead, 'nope')).toBeUndefined();
    expect(accessTo(policy, lead, 'constructor')).toBeUndefined();
  });

  it('keeps from a sign-in only the groups the policy names, per claim a tenant reads', () => {
    const claims = { groups: ['security', 'everyone', 42, 'support-leads'], roles: 'support-leads', other: ['security'] };
    expect(groupsWorthKeeping(policy, claims)).toEqual({ groups: ['security', 'support-leads'], roles: ['support-leads'] });
    expect(groupsWorthKeeping(policy, {})).toEqual({ groups: [], roles: [] });
  });
});
