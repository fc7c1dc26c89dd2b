import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts personal data for storage (AES-256-GCM) and computes keyed lookup
 * hashes (HMAC-SHA256) for the columns that must be searched or unique. Both
 * keys are derived from one data key with HKDF, so a leaked lookup hash says
 * nothing about the encryption key and configuration stays one secret.
 *
 * Every ciphertext is bound to a context (field and row) as associated data:
 * a ciphertext copied into another row or column fails to decrypt instead of
 * showing one user's phone number on another's profile.
 */
export class FieldCipher {
  private readonly encryptionKey: Buffer;
  private readonly lookupKey: Buffer;

  constructor(dataKey: Buffer) {
    if (dataKey.length !== 32) throw new RangeError('The identity data key must be 32 bytes');
    this.encryptionKey = derive(dataKey, 'ledger/identity/field-encryption/v1');
    this.lookupKey = derive(dataKey, 'ledger/identity/lookup-hash/v1');
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url; the version leaves room for key rotation. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, body, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** @throws Error when the text was altered, moved to another context or made with another key. */
  decrypt(stored: string, context: string): string {
    const [version, iv, body, tag] = stored.split('.');
    if (version !== VERSION || !iv || body === undefined || !tag)
      throw new Error('Unrecognised ciphertext format');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.encryptionKey,
      Buffer.from(iv, 'base64url'),
      {
        authTagLength: TAG_BYTES,
      },
    );
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /** Hex HMAC of a value in a namespace (`email`, `phone`, …), so equal values in different kinds never collide. */
  lookupHash(kind: string, value: string): string {
    return createHmac('sha256', this.lookupKey).update(`${kind}\u001f${value}`).digest('hex');
  }
}

function derive(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}
