import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../src/config/env.js';

describe('AIRLOCK_CALLBACK_ALLOW', () => {
  it('allows no internal receiver unless set', () => {
    expect(loadEnv({}).AIRLOCK_CALLBACK_ALLOW).toEqual({ hosts: [], ranges: [] });
  });

  it('reads host names, IP addresses and CIDR ranges, comma-separated', () => {
    expect(loadEnv({ AIRLOCK_CALLBACK_ALLOW: ' Hooks.Corp.Internal., 10.20.0.0/16,192.168.7.7, [fd00::1], fd00:1::/32 ' }).AIRLOCK_CALLBACK_ALLOW).toEqual({
      hosts: ['hooks.corp.internal'],
      ranges: [
        { network: '10.20.0.0', prefix: 16, family: 'ipv4' },
        { network: '192.168.7.7', prefix: 32, family: 'ipv4' },
        { network: 'fd00::1', prefix: 128, family: 'ipv6' },
        { network: 'fd00:1::', prefix: 32, family: 'ipv6' },
      ],
    });
  });

  it.each(['10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/8', 'http://hooks.example', 'hooks example', '300.1.1.1', 'hooks.example/24', '*.example'])(
    'stops the start on %s, naming the variable and the entry',
    (bad) => {
      expect(() => loadEnv({ AIRLOCK_CALLBACK_ALLOW: `hooks.example,${bad}` })).toThrow(/AIRLOCK_CALLBACK_ALLOW: not a host name, IP address or CIDR range/);
    },
  );
});
