import { generateSecret } from '@otplib/core';
import { generate, verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import { base32Plugin, nodeCryptoPlugin } from './otp-plugins';

/**
 * RFC 6238 TOTP with the parameters every authenticator app supports:
 * SHA-1, six digits, 30-second steps. Built on otplib's packages directly
 * (see otp-plugins.ts for why not its default entry point).
 */
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side absorbs phone clock drift and the time to type. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;
const CODE_PATTERN = /^\d{6}$/;
const plugins = { crypto: nodeCryptoPlugin, base32: base32Plugin };

/** 20 random bytes (160 bits), RFC 4226's recommended key length, in base32. */
export function newTotpSecret(): string {
  return generateSecret({ ...plugins, length: 20 });
}

export function totpUri(issuer: string, label: string, secret: string): string {
  return generateTOTP({ issuer, label, secret });
}

export function looksLikeTotpCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

/** The code for a moment; used by tests and by nothing in the server. */
export function totpCode(secret: string, epochSeconds: number): Promise<string> {
  return generate({ secret, epoch: epochSeconds, ...plugins });
}

/** The time step the code belongs to, or undefined when it matches none in the window. */
export async function matchTotp(
  secret: string,
  code: string,
  epochSeconds = Math.floor(Date.now() / 1000),
): Promise<number | undefined> {
  if (!looksLikeTotpCode(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    epochTolerance: TOLERANCE_SECONDS,
    ...plugins,
  });
  return result.valid ? result.timeStep : undefined;
}
