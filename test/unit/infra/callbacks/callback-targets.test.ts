import { describe, expect, it } from 'vitest';
import { parseCallbackAllowList } from '../../../../src/config/callback-allow.js';
import { createCallbackTargets } from '../../../../src/infra/callbacks/callback-targets.js';

const none = createCallbackTargets({ hosts: [], ranges: [] });
const allowing = createCallbackTargets(parseCallbackAllowList('hooks.corp.internal,10.20.0.0/16,fd00:1::/32').list);

describe('callback targets as written', () => {
  it.each([
    ['loopback', 'http://127.0.0.1/'],
    ['loopback, short form', 'http://127.1/'],
    ['loopback, hex', 'http://0x7f000001/'],
    ['loopback, decimal', 'http://2130706433/'],
    ['loopback, octal', 'http://0177.0.0.1/'],
    ['loopback IPv6', 'http://[::1]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped private', 'http://[::ffff:192.168.0.1]/'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]/'],
    ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/'],
    ['6to4 of loopback', 'http://[2002:7f00:1::]/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['private 10/8', 'https://10.1.2.3/'],
    ['private 172.16/12', 'https://172.20.0.1/'],
    ['private 192.168/16', 'https://192.168.0.10/'],
    ['carrier-grade NAT', 'https://100.100.100.100/'],
    ['this network', 'http://0.0.0.0/'],
    ['unique-local', 'http://[fd00::1]/'],
    ['link-local IPv6', 'http://[fe80::1]/'],
    ['localhost', 'http://localhost:3000/'],
    ['localhost, trailing dot', 'http://localhost./'],
    ['a name under localhost', 'http://api.localhost/'],
  ])('refuses %s (%s)', (_what, url) => {
    expect(none.refusal(url)).toMatch(/internal address|names this machine/);
  });

  it('refuses credentials in the URL without repeating them', () => {
    const why = none.refusal('https://user:pa55word@agent.example/hook');
    expect(why).toMatch(/credentials/);
    expect(why).not.toContain('pa55word');
    expect(none.refusal('https://token-only@agent.example/hook')).toMatch(/credentials/);
  });

  it.each(['https://agent.example/hooks', 'http://93.184.215.14/', 'http://[2606:4700::1111]/', 'http://[::ffff:93.184.215.14]/', 'http://172.32.0.1/', 'http://100.128.0.1/'])(
    'accepts the public target %s',
    (url) => {
      expect(none.refusal(url)).toBeUndefined();
    },
  );

  it('accepts internal targets the deployment allows by host, address or range, and only those', () => {
    expect(allowing.refusal('http://hooks.corp.internal:8080/h')).toBeUndefined();
    expect(allowing.refusal('http://HOOKS.corp.internal./h')).toBeUndefined();
    expect(allowing.refusal('http://10.20.255.1/h')).toBeUndefined();
    expect(allowing.refusal('http://[::ffff:10.20.0.5]/h')).toBeUndefined();
    expect(allowing.refusal('http://[fd00:1::5]/h')).toBeUndefined();
    expect(allowing.refusal('http://10.21.0.1/h')).toMatch(/internal address/);
    expect(allowing.refusal('http://other.corp.internal.localhost/h')).toMatch(/names this machine/);
  });
});

describe('callback targets as resolved', () => {
  it('checks each address a name resolves to, unless the name itself is allowed', () => {
    expect(none.addressRefusal('127.0.0.1')).toMatch(/internal address/);
    expect(none.addressRefusal('::ffff:169.254.169.254')).toMatch(/internal address/);
    expect(none.addressRefusal('93.184.215.14')).toBeUndefined();
    expect(allowing.hostAllowed('hooks.corp.internal.')).toBe(true);
    expect(allowing.hostAllowed('rebind.agent.example')).toBe(false);
    expect(allowing.addressRefusal('10.20.0.1')).toBeUndefined();
  });
});
