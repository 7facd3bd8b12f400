import { describe, expect, it } from 'vitest';
import { argsSha256, canonicalJson } from '../../../src/domain/canonical-json.js';
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
});

describe('canonical JSON', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(argsSha256({ a: 1, b: 2 })).toBe(argsSha256({ b: 2, a: 1 }));
  });
});
