import { describe, expect, it } from 'vitest';
import { makeArgsDigests } from '../../../src/domain/args-digest.js';
import { canonicalJson } from '../../../src/domain/canonical-json.js';
import { redactArgs } from '../../../src/domain/redact.js';
import { CONSEQUENCE_SCOPE, consequenceScope, renderConsequence } from '../../../src/domain/render-consequence.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';

describe('redaction', () => {
  it('masks plain and wildcard paths without touching the input', () => {
    const args = { to: 'a@b.c', body: 'secret', attachments: [{ name: 'x', content: 'c1' }, { name: 'y', content: 'c2' }] };
    const out = redactArgs(args, ['body', 'attachments.*.content', 'missing.path']);
    expect(out).toEqual({ to: 'a@b.c', body: '[redacted]', attachments: [{ name: 'x', content: '[redacted]' }, { name: 'y', content: '[redacted]' }] });
    expect(args.body).toBe('secret');
    expect(JSON.stringify(out)).not.toContain('secret');
  });
});

describe('consequence rendering', () => {
  const request = {
    tenant: 'acme',
    agent: 'support-bot',
    tool: 'send_email',
    workflow: 'refunds',
    environment: 'production',
    args: { to: 'jane@example.com' },
    context: { ticket: 'T-1' },
    requester: { id: 'U0SAM', email: 'sam@acme.test' },
  };
  const withArgs = (args: Record<string, unknown>) => consequenceScope({ ...request, args });
  const acceptedByPolicyCheck = (template: string) =>
    parsePolicy(`tenants: { a: { agents: { bot: { tools: [t] } } } }\ntools: { t: { owner: o, risk: low, mode: allow, consequence: ${JSON.stringify(template)} } }`);

  // One row per root a policy check accepts: each renders the request's value, never `?`.
  const table: [placeholder: string, rendered: string][] = [
    ['{{args.to}}', 'jane@example.com'],
    ['{{context.ticket}}', 'T-1'],
    ['{{requester.email}}', 'sam@acme.test'],
    ['{{workflow}}', 'refunds'],
    ['{{environment}}', 'production'],
    ['{{tool}}', 'send_email'],
    ['{{agent}}', 'support-bot'],
    ['{{tenant}}', 'acme'],
  ];

  it('has a row for every root a policy check accepts', () => {
    expect(table.map(([p]) => p.slice(2, -2).split('.')[0]).sort()).toEqual([...CONSEQUENCE_SCOPE].sort());
  });

  it.each(table)('renders %s as the request holds it', (placeholder, rendered) => {
    expect(() => acceptedByPolicyCheck(`Does ${placeholder}`)).not.toThrow();
    expect(renderConsequence(`Does ${placeholder}`, consequenceScope(request))).toBe(`Does ${rendered}`);
  });

  it('shows ? for a workflow the request did not name', () => {
    expect(renderConsequence('in {{workflow}}', consequenceScope({ ...request, workflow: undefined }))).toBe('in ?');
  });

  it('refuses, at policy check, a path below a plain field, which could never render', () => {
    expect(() => acceptedByPolicyCheck('{{tool.name}}')).toThrow();
  });

  it('fills placeholders from the redacted arguments', () => {
    const args = redactArgs({ to: 'jane@example.com', body: 'secret' }, ['body']);
    expect(renderConsequence('Emails {{args.to}}: {{ args.body }} {{args.nope}}', withArgs(args))).toBe('Emails jane@example.com: [redacted] ?');
  });
  it('truncates long values', () => {
    expect(renderConsequence('{{args.x}}', withArgs({ x: 'a'.repeat(1000) }))!.length).toBeLessThan(250);
  });
  it('never throws, whatever shape the request has: arrays, inherited names, numbers as paths', () => {
    const scope = withArgs({ record: [1, 2], deep: { n: 0, f: false }, list: [{ x: 'first' }] });
    expect(renderConsequence('Updates {{args.record.values}} {{args.record.length}} {{args.constructor}} {{args.list.0.x}} {{args.deep.n}} {{args.deep.f}}', scope)).toBe(
      'Updates ? ? ? first 0 false',
    );
    expect(renderConsequence('{{args.record}}', scope)).toBe('[1,2]');
  });
});

describe('canonical JSON', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('sorts keys by UTF-16 code unit, escapes keys and strings as JSON does, and drops undefined members', () => {
    const value = { z: 1, 'é': 2, Z: 3, '\u{1F600}': 4, '\uFFFF': 5, 'a"b\n': 'x"\u0000\ud800', gone: undefined, list: [undefined, -0, 1e21, true, [], {}] };
    expect(canonicalJson(value)).toBe('{"Z":3,"a\\"b\\n":"x\\"\\u0000\\ud800","list":[null,0,1e+21,true,[],{}],"z":1,"é":2,"\u{1F600}":4,"\uFFFF":5}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('plain')).toBe('"plain"');
  });

  it('orders keys as the engine sorts strings, for few keys and for many', () => {
    for (const n of [2, 7, 16, 17, 40]) {
      const keys = Array.from({ length: n }, (_, i) => ['b', 'B', 'é', 'a1', 'a', '_', '\u{1F600}', 'z'][i % 8]! + String((i * 7919) % 97));
      const obj = Object.fromEntries(keys.map((k, i) => [k, i]));
      expect(Object.keys(JSON.parse(canonicalJson(obj)))).toEqual(Object.keys(obj).sort());
    }
  });

  it('reads back as the value it was made from, whatever the nesting', () => {
    const value = { deep: { b: [{ y: [1, 'two', null], x: { q: false } }], a: 'ünïcode' }, n: -12.5e-3, s: 'tab\there' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});

describe('keyed argument digests', () => {
  const a = makeArgsDigests('x'.repeat(32));
  const b = makeArgsDigests('y'.repeat(32));
  it('do not depend on key order, and differ by secret and by purpose', () => {
    expect(a.submitted({ a: 1, b: 2 })).toBe(a.submitted({ b: 2, a: 1 }));
    expect(a.submitted({ a: 1 })).not.toBe(b.submitted({ a: 1 }));
    expect(a.submitted({ a: 1 })).not.toBe(a.request({ a: 1 }));
    expect(a.binding('d', { a: 1 })).not.toBe(a.binding('e', { a: 1 }));
  });
});
