import { describe, expect, it } from 'vitest';
import { makeArgsDigests } from '../../../src/domain/args-digest.js';
import { canonicalJson } from '../../../src/domain/canonical-json.js';
import { redactArgs } from '../../../src/domain/redact.js';
import { renderConsequence } from '../../../src/domain/render-consequence.js';

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
  it('fills placeholders from the redacted arguments', () => {
    const args = redactArgs({ to: 'jane@example.com', body: 'secret' }, ['body']);
    expect(renderConsequence('Emails {{args.to}}: {{ args.body }} {{args.nope}}', { args })).toBe('Emails jane@example.com: [redacted] ?');
  });
  it('truncates long values', () => {
    expect(renderConsequence('{{args.x}}', { args: { x: 'a'.repeat(1000) } })!.length).toBeLessThan(250);
  });
  it('never throws, whatever shape the request has: arrays, inherited names, numbers as paths', () => {
    const scope = { args: { record: [1, 2], deep: { n: 0, f: false }, list: [{ x: 'first' }] } };
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
