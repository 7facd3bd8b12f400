import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../../../../src/infra/postgres/token-cipher.js';

const SECRET = 'a'.repeat(32) + '-test-secret';
const TOKEN = 'xoxb-1234-5678-abcdefABCDEF';
const ROW = 'slack\0workspace\0T0ACME\0bot';

describe('TokenCipher', () => {
  it('opens what it sealed, and a sealed value holds no byte run of the token', () => {
    const cipher = TokenCipher.fromSecret(SECRET);
    const sealed = cipher.seal(TOKEN, ROW);
    expect(sealed.includes(Buffer.from(TOKEN))).toBe(false);
    expect(sealed.includes(Buffer.from(TOKEN.slice(0, 8)))).toBe(false);
    expect(cipher.open(sealed, ROW)).toBe(TOKEN);
  });

  it('seals the same token differently each time (a fresh nonce)', () => {
    const cipher = TokenCipher.fromSecret(SECRET);
    expect(cipher.seal(TOKEN, ROW).equals(cipher.seal(TOKEN, ROW))).toBe(false);
  });

  it('refuses a value moved to another row or field, altered, or sealed under another secret', () => {
    const cipher = TokenCipher.fromSecret(SECRET);
    const sealed = cipher.seal(TOKEN, ROW);
    expect(() => cipher.open(sealed, 'slack\0workspace\0T0GLOBEX\0bot')).toThrow();
    expect(() => cipher.open(sealed, 'slack\0workspace\0T0ACME\0refresh')).toThrow();
    const altered = Buffer.from(sealed);
    altered[14]! ^= 1;
    expect(() => cipher.open(altered, ROW)).toThrow();
    expect(() => TokenCipher.fromSecret(`${SECRET}-rotated`).open(sealed, ROW)).toThrow();
  });

  it('names its key by an id that differs per secret and is stable for one', () => {
    const a = TokenCipher.fromSecret(SECRET);
    expect(a.keyId).toBe(TokenCipher.fromSecret(SECRET).keyId);
    expect(a.keyId).not.toBe(TokenCipher.fromSecret(`${SECRET}-rotated`).keyId);
    expect(a.keyId).not.toContain(SECRET);
    expect(() => TokenCipher.fromSecret('short')).toThrow(/32 characters/);
  });
});
