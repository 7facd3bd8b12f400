import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../src/domain/errors.js';
import { policyJsonSchema } from '../../../src/policy/json-schema.js';
import { loadPolicyFile, parsePolicy } from '../../../src/policy/load-policy.js';

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
    expect(Object.keys(p.tenants)).toContain('acme');
    expect(p.tools.send_customer_email?.approval?.timeoutMs).toBe(15 * 60_000);
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
    risk: huge
    mode: approval_required
    approval: { reviewers: ghosts, timeout: soon }
    when:
      - if: "args.x >"
        then: deny
  u: { risk: low, mode: allow, colour: red }
`);
    const paths = details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['tools.t.risk', 'tools.t.approval.timeout', 'tools.u', 'tenants.a.agents.bot.tools.1', 'tools.t.when.0.if']),
    );
  });

  it('refuses a tool that can queue without an approval block, and a reviewer group the tenant lacks', () => {
    expect(errorsOf('tenants: {}\ntools:\n  t: { risk: low, mode: approval_required }\n').map((d) => d.path)).toEqual(['tools.t.approval']);
    const details = errorsOf(`
tenants:
  a: { agents: { bot: { tools: [t] } } }
tools:
  t: { risk: low, mode: approval_required, approval: { reviewers: leads, timeout: 5m } }
`);
    expect(details).toEqual([{ path: 'tools.t.approval.reviewers', message: expect.stringContaining('leads') }]);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(errorsOf('tenants: [\n')[0]!.path).toMatch(/^line \d+/);
  });

  it('exports a JSON Schema that names the policy keys', () => {
    const schema = JSON.stringify(policyJsonSchema());
    for (const key of ['tenants', 'reviewer_groups', 'safest_mode', 'on_timeout', 'redact', 'approval_required']) expect(schema).toContain(key);
  });

  it('`airlock policy check` exits non-zero on an invalid file and zero on the example', () => {
    const run = (file: string) => {
      try {
        return { code: 0, out: execFileSync('npx', ['tsx', 'src/main/cli.ts', 'policy', 'check', file], { encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, out: err.stderr };
      }
    };
    expect(run('examples/policy.yml').code).toBe(0);
    const bad = run('test/fixtures/invalid-policy.yml');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('tools.broken.risk');
    expect(bad.out).toContain('tools.broken.when.0.if');
  });
});
