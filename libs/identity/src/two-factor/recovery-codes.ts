import { randomInt } from 'node:crypto';

/** Enough for a lost phone and a few logins after; a new set replaces the old. */
export const RECOVERY_CODE_COUNT = 10;
/** No 0/O or 1/I/L, so a code copied from paper is read back right. 10 symbols of 32: 50 bits. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from(
      { length: CODE_LENGTH },
      () => ALPHABET[randomInt(ALPHABET.length)],
    ).join('');
    return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}
