import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals chat tokens for the database: AES-256-GCM under a key derived from
 * AIRLOCK_SECRET (HKDF-SHA256 with its own label, so it is independent of
 * every other use of the secret), held only by Airlock processes. A sealed
 * value is a random 12-byte nonce, the ciphertext and the 16-byte tag; the
 * row and field it belongs to (`bound`) are authenticated with it, so a
 * sealed token copied into another row, or into the refresh token's place,
 * does not open.
 *
 * `keyId` names the key without revealing it (an HMAC under the key), and is
 * stored with each row: rows sealed under another AIRLOCK_SECRET are told
 * apart from tampered ones, and left alone.
 */
export class TokenCipher {
  readonly keyId: string;

  private constructor(private readonly key: Buffer) {
    this.keyId = `v1:${createHmac('sha256', key).update('airlock key id').digest('hex').slice(0, 16)}`;
  }

  static fromSecret(secret: string): TokenCipher {
    if (secret.length < 32) throw new Error('AIRLOCK_SECRET must be at least 32 characters');
    return new TokenCipher(Buffer.from(hkdfSync('sha256', secret, 'airlock', 'airlock/chat-tokens/v1', 32)));
  }

  seal(plain: string, bound: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(bound));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  /** Throws when the value was not sealed by this key for `bound` (tampered, moved, or another secret's). */
  open(sealed: Buffer, bound: string): string {
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed token too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(bound));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
