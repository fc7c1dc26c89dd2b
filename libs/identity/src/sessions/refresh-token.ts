import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * A refresh token is `<id>.<secret>`: the id finds the row, the secret (256
 * random bits, base64url) proves possession. Only SHA-256 of the secret is
 * stored; with that much entropy a slow hash would add cost and no safety.
 */
export interface RefreshToken {
  readonly id: string;
  readonly secret: string;
}

const SECRET_BYTES = 32;
const TOKEN_PATTERN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function newRefreshToken(): RefreshToken {
  return { id: randomUUID(), secret: randomBytes(SECRET_BYTES).toString('base64url') };
}

export function formatRefreshToken(token: RefreshToken): string {
  return `${token.id}.${token.secret}`;
}

export function parseRefreshToken(text: string): RefreshToken | undefined {
  const match = TOKEN_PATTERN.exec(text);
  const [, id, secret] = match ?? [];
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashRefreshSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
