import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../src/domain/errors.js';
import { policyJsonSchema } from '../../../src/policy/json-schema.js';
import { loadPolicyFile, parsePolicy } from '../../../src/policy/load-policy.js';
import { runCli } from '../../support/run-cli.js';

const errorsOf = (yaml: string) => {
  try {
    parsePolicy(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(AirlockError);
    return (err as AirlockError).details;
  }
  throw new Error('policy was accepted');
};

describe('policy loading', () => {
  it('accepts the shipped example', async () => {
    const p = await loadPolicyFile('examples/policy.yml');
    expect([...p.tenants.keys()]).toContain('acme');
    expect(p.tools.get('send_customer_email')?.approval?.timeoutMs).toBe(15 * 60_000);
    expect(p.fileVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('lists every error with its path, including bad CEL and dangling references', () => {
    const details = errorsOf(`
tenants:
  a:
    agents:
      bot: { tools: [t, nope] }
tools:
  t:
    owner: test-owners
    risk: huge
    mode: approval_required
    approval: { reviewers: ghosts, timeout: soon }
    when:
      - if: "args.x >"
        then: deny
  u: { owner: test-owners, risk: low, mode: allow, colour: red }
`);
    const paths = details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['tools.t.risk', 'tools.t.approval.timeout', 'tools.u', 'tenants.a.agents.bot.tools.1', 'tools.t.when.0.if']),
    );
  });

  it('refuses a tool that can queue without an approval block, and a reviewer group the tenant lacks', () => {
    expect(errorsOf('tenants: {}\ntools:\n  t: { owner: o, risk: low, mode: approval_required }\n').map((d) => d.path)).toEqual(['tools.t.approval']);
    const details = errorsOf(`
tenants:
  a: { agents: { bot: { tools: [t] } } }
tools:
  t: { owner: test-owners, risk: low, mode: approval_required, approval: { reviewers: leads, timeout: 5m } }
`);
    expect(details).toEqual([{ path: 'tools.t.approval.reviewers', message: expect.stringContaining('leads') }]);
  });

  it('refuses names JavaScript objects already carry, wherever a name is declared', () => {
    const paths = errorsOf(`
tenants:
  constructor: { agents: { bot: { tools: [t] } } }
  a:
    agents:
      __proto__: { tools: [t] }
      toString: { tools: [t] }
    reviewer_groups:
      valueOf: { slack: { channel: C1, users: [U1] } }
tools:
  t: { owner: test-owners, risk: low, mode: allow }
  hasOwnProperty: { owner: test-owners, risk: low, mode: allow }
`).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['tenants.constructor', 'tenants.a.agents.__proto__', 'tenants.a.agents.toString', 'tenants.a.reviewer_groups.valueOf', 'tools.hasOwnProperty']),
    );
  });

  it('validates args_schema with a real validator compiled once, and refuses an invalid schema', () => {
    const p = parsePolicy(`
tenants: { a: { agents: { bot: { tools: [t] } } } }
tools:
  t:
    owner: test-owners
    risk: low
    mode: allow
    args_schema: { type: object, required: [to], properties: { to: { type: string, format: email }, n: { type: integer } } }
`);
    const check = p.tools.get('t')!.checkArgs!;
    expect(check({ to: 'a@example.com', n: 2 })).toEqual([]);
    expect(check({ to: 'nope', n: 'x' }).map((i) => i.path)).toEqual(['to', 'n']);
    expect(check({}).map((i) => i.path)).toEqual(['to']);
    expect(errorsOf('tenants: {}\ntools:\n  t: { owner: o, risk: low, mode: allow, args_schema: { type: object, properties: { to: { type: strng } } } }\n').map((d) => d.path)).toEqual(['tools.t.args_schema']);
  });

  it('refuses a Teams service_url that is not https: the bot sends its token there', () => {
    const details = errorsOf(`
tenants:
  acme:
    teams: { tenant_id: aad-acme, service_url: "http://smba.trafficmanager.net/teams/" }
    agents:
      bot: { tools: [] }
tools: {}
`);
    expect(details.map((d) => d.path)).toContain('tenants.acme.teams.service_url');
  });

  it('reports YAML syntax errors with a line', () => {
    expect(errorsOf('tenants: [\n')[0]!.path).toMatch(/^line \d+/);
  });

  it('exports a JSON Schema that names the policy keys', () => {
    const schema = JSON.stringify(policyJsonSchema());
    for (const key of ['tenants', 'reviewer_groups', 'safest_mode', 'on_timeout', 'redact', 'approval_required']) expect(schema).toContain(key);
  });

  it('`airlock policy check` exits non-zero on an invalid file and zero on the example', async () => {
    // The example as the real binary checks it; the invalid file through the same entry point, in this process.
    const ok = await runCli(['policy', 'check', 'examples/policy.yml'], {}, { spawn: true });
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['policy', 'check', 'test/fixtures/invalid-policy.yml'], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('tools.broken.risk');
    expect(bad.stderr).toContain('tools.broken.when.0.if');
  });

  it('`airlock policy check` refuses, each by path, everything that could never work', async () => {
    const { code, stderr: out } = await runCli(['policy', 'check', 'test/fixtures/never-works-policy.yml'], {});
    expect(code).toBe(1);
    for (const [path, why] of [
      ['tools.send.when.0.if', 'Unknown variable: arg'],
      ['tools.send.when.1.if', 'must be a boolean'],
      ['tools.send.consequence', '{{foo}} names nothing'],
      ['tools.send.redact.0', 'empty segment'],
      ['tools.send.redact.1', 'empty segment'],
      ['tools.send.redact.2', 'may not start with *'],
      ['tools.send.redact.3', 'reserved'],
      ['tools.send.approval.editable.0', 'may not contain *'],
      ['tools.send.approval.editable.1', 'reserved'],
      ['tools.send.approval.editable.2', 'overlaps the redacted path'],
      ['tenants.globex.slack.team_id', 'already belongs to tenant acme'],
      ['tools.send.approval.required', 'more than the 2 reviewer(s)'],
      ['tools.send.approval.timeout', 'positive duration'],
      ['tenants.acme.agents.bot.environments.0', 'not one of tenant acme'],
    ]) {
      expect(out).toContain(`${path}: `);
      expect(out.split('\n').find((l) => l.includes(`${path}: `))).toContain(why);
    }
  });
});
