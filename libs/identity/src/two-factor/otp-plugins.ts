import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Base32Plugin, CryptoPlugin, HashAlgorithm } from '@otplib/core';

/**
 * otplib's default plugins (@noble/hashes, @scure/base) ship as ES modules
 * only, which Jest's CommonJS runtime cannot load; these two do the same
 * work with node:crypto and a plain RFC 4648 base32, so the TOTP code runs
 * unchanged in the server and in tests.
 */
export const nodeCryptoPlugin: CryptoPlugin = {
  name: 'node',
  algorithms: ['sha1', 'sha256', 'sha512'],
  hmac: (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array) =>
    createHmac(algorithm, key).update(data).digest(),
  randomBytes: (length: number) => randomBytes(length),
  constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const base32Plugin: Base32Plugin = {
  name: 'rfc4648',
  encode(data: Uint8Array): string {
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of data) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += ALPHABET[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    return bits > 0 ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
  },
  decode(text: string): Uint8Array {
    const clean = text.toUpperCase().replace(/=+$/, '');
    const out: number[] = [];
    let bits = 0;
    let value = 0;
    for (const char of clean) {
      const index = ALPHABET.indexOf(char);
      if (index < 0) throw new Error('Invalid base32 character');
      value = ((value << 5) | index) & 0xffff;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return Uint8Array.from(out);
  },
};
