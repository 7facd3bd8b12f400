import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../src/domain/errors.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

const errorsOf = (yaml: string) => {
  try {
    parsePolicy(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return (err as AirlockError).details;
  }
  throw new Error('policy was accepted');
};

const TOOL = `
tools:
  t: { owner: o, risk: low, mode: approval_required, approval: { reviewers: leads, timeout: 5m } }
`;

describe('console roles and targets in the policy', () => {
  it('compiles identity, console roles and a console-only reviewer group (emails lower-cased)', () => {
    const policy = parsePolicy(`
tenants:
  acme:
    identity: { issuer: "https://idp.acme.example", audience: airlock, groups_claim: roles, mfa: { amr: [mfa] } }
    console:
      auditors: { users: [Audit@Acme.example], groups: [security] }
      admins: { users: [ops@acme.example] }
    reviewer_groups:
      leads:
        console: { users: [Lead1@acme.example], groups: [support-leads] }
    agents: { bot: { tools: [t] } }
${TOOL}`);
    const acme = policy.tenants.get('acme')!;
    expect(acme.identity).toEqual({ issuer: 'https://idp.acme.example', audience: 'airlock', groupsClaim: 'roles', mfa: { amr: ['mfa'], acr: [] } });
    expect(acme.console).toEqual({
      auditors: { users: ['audit@acme.example'], groups: ['security'] },
      admins: { users: ['ops@acme.example'], groups: [] },
    });
    const leads = acme.reviewerGroups.get('leads')!;
    expect(leads.console).toEqual({ users: ['lead1@acme.example'], groups: ['support-leads'] });
    expect(leads.chat.size).toBe(0);
  });

  it('gives a tenant without a console block nobody in the console', () => {
    const acme = parsePolicy(`tenants:\n  acme: {}\ntools: {}\n`).tenants.get('acme')!;
    expect(acme.console).toEqual({ auditors: { users: [], groups: [] }, admins: { users: [], groups: [] } });
    expect(acme.identity).toBeUndefined();
  });

  it('refuses what is not an email, a console entry with nobody, and a group with no target at all', () => {
    const details = errorsOf(`
tenants:
  acme:
    identity: { groups_claim: groups }
    console:
      auditors: { users: [not-an-email] }
      admins: {}
    reviewer_groups:
      leads:
        console: { users: ["lead one@acme.example"] }
      empty:
        console: {}
      nowhere: {}
    agents: { bot: { tools: [t] } }
${TOOL}`);
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'tenants.acme.console.auditors.users.0', message: expect.stringContaining('email') },
        { path: 'tenants.acme.console.admins', message: expect.stringContaining('users or groups') },
        { path: 'tenants.acme.reviewer_groups.leads.console.users.0', message: expect.stringContaining('email') },
        { path: 'tenants.acme.reviewer_groups.empty.console', message: expect.stringContaining('users or groups') },
        { path: 'tenants.acme.reviewer_groups.nowhere', message: expect.stringContaining('console') },
      ]),
    );
  });

  it('refuses IdP groups when the tenant names no groups claim to read them from', () => {
    const details = errorsOf(`
tenants:
  acme:
    console:
      auditors: { groups: [security] }
    reviewer_groups:
      leads:
        console: { groups: [support-leads] }
    agents: { bot: { tools: [t] } }
${TOOL}`);
    expect(details).toEqual([
      { path: 'tenants.acme.console.auditors.groups', message: expect.stringContaining('identity.groups_claim') },
      { path: 'tenants.acme.reviewer_groups.leads.console.groups', message: expect.stringContaining('identity.groups_claim') },
    ]);
  });

  it('counts console users toward the reviewers a quorum needs; IdP groups make the count open-ended', () => {
    const quorum = (target: string) =>
      `
tenants:
  acme:
    identity: { groups_claim: groups }
    reviewer_groups:
      leads:
        console: ${target}
    agents: { bot: { tools: [t] } }
tools:
  t: { owner: o, risk: low, mode: approval_required, approval: { reviewers: leads, timeout: 5m, required: 2 } }
`;
    expect(errorsOf(quorum('{ users: [a@acme.example] }'))).toEqual([{ path: 'tools.t.approval.required', message: expect.stringContaining('more than the 1 reviewer') }]);
    expect(() => parsePolicy(quorum('{ users: [a@acme.example, b@acme.example] }'))).not.toThrow();
    expect(() => parsePolicy(quorum('{ groups: [leads] }'))).not.toThrow();
  });
});
