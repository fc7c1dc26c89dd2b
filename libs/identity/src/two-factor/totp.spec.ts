import { must } from '@ledger/invariant';
import { base32Plugin } from './otp-plugins';
import { matchTotp, newTotpSecret, totpCode, totpUri } from './totp';
import { newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';

describe('TOTP', () => {
  const secret = newTotpSecret();
  const epoch = 1_700_000_000;

  it('agrees with RFC 6238 appendix B (SHA-1, six digits of 94287082)', async () => {
    expect(await totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59)).toBe('287082');
  });

  it('matches a current code and names its time step', async () => {
    const code = await totpCode(secret, epoch);
    expect(await matchTotp(secret, code, epoch)).toBe(Math.floor(epoch / 30));
  });

  it('accepts one step of drift and no more', async () => {
    const previous = await totpCode(secret, epoch - 30);
    const stale = await totpCode(secret, epoch - 90);
    expect(await matchTotp(secret, previous, epoch)).toBe(Math.floor(epoch / 30) - 1);
    expect(await matchTotp(secret, stale, epoch)).toBeUndefined();
  });

  it('refuses what is not six digits', async () => {
    expect(await matchTotp(secret, '12345', epoch)).toBeUndefined();
    expect(await matchTotp(secret, 'abcdef', epoch)).toBeUndefined();
  });

  it('puts issuer and secret in the URI', () => {
    expect(totpUri('Ledger', 'ada@example.com', secret)).toMatch(
      new RegExp(`^otpauth://totp/Ledger:.*secret=${secret}`),
    );
  });
});

describe('base32', () => {
  it('matches RFC 4648 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Plugin.encode(Buffer.from(plain))).toBe(encoded);
      expect(Buffer.from(base32Plugin.decode(encoded)).toString()).toBe(plain);
    }
  });
});

describe('recovery codes', () => {
  it('are distinct and survive retyping', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(codes.length);
    const code = must(codes[0], 'a recovery code');
    expect(normaliseRecoveryCode(` ${code.toUpperCase()} `)).toBe(code.replace('-', ''));
  });
});
