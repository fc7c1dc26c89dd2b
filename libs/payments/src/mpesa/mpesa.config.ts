import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  isProduction,
  readSecret,
  setting,
  type Env,
  type VariableName,
} from '@ledger/config';
import type { MpesaGatewayOptions } from './mpesa.gateway';

/**
 * The mobile-money rail, configured apart from cards: MPESA_GATEWAY=sandbox
 * (the default outside production), daraja, or off (the default in
 * production, where a sandbox would credit money that never arrived). The
 * callback path's secret is known whenever the rail is on, so the callback
 * route can tell Daraja's calls from guesses.
 */
export type MpesaConfig =
  | { readonly gateway: 'off' }
  | { readonly gateway: 'sandbox'; readonly callbackSecret: string }
  | ({ readonly gateway: 'daraja'; readonly callbackSecret: string } & MpesaGatewayOptions);

/** Long enough that guessing the path is hopeless; Daraja's callbacks carry nothing else. */
const MIN_SECRET_LENGTH = 32;
const SECRET_SHAPE = /^[A-Za-z0-9_-]+$/;

export function readMpesaConfig(env: Env): MpesaConfig {
  const fallback = isProduction(env) ? 'off' : 'sandbox';
  const gateway = setting(env, 'MPESA_GATEWAY') ?? fallback;
  if (gateway === 'off') return { gateway };
  setting(env, 'MPESA_CALLBACK_SECRET');
  const callbackSecret = readSecret(env, 'MPESA_CALLBACK_SECRET', () =>
    randomBytes(24).toString('base64url'),
  );
  if (callbackSecret.length < MIN_SECRET_LENGTH || !SECRET_SHAPE.test(callbackSecret))
    throw new ConfigError(
      `MPESA_CALLBACK_SECRET must be at least ${MIN_SECRET_LENGTH} characters of [A-Za-z0-9_-]`,
    );
  if (gateway === 'sandbox') return { gateway, callbackSecret };
  const base = required(env, 'MPESA_CALLBACK_BASE_URL');
  return {
    gateway,
    callbackSecret,
    baseUrl: (setting(env, 'MPESA_API_URL') ?? 'https://api.safaricom.co.ke').replace(/\/+$/, ''),
    consumerKey: required(env, 'MPESA_CONSUMER_KEY'),
    consumerSecret: required(env, 'MPESA_CONSUMER_SECRET'),
    shortcode: required(env, 'MPESA_SHORTCODE'),
    passkey: required(env, 'MPESA_PASSKEY'),
    initiatorName: required(env, 'MPESA_INITIATOR_NAME'),
    securityCredential: required(env, 'MPESA_SECURITY_CREDENTIAL'),
    callbackUrl: `${base.replace(/\/+$/, '')}/webhooks/mpesa/${callbackSecret}`,
    timeoutMs: setting(env, 'MPESA_TIMEOUT_MS'),
  };
}

function required(env: Env, name: VariableName): string {
  const value = setting(env, name);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (!value) throw new ConfigError(`${name} must be set when MPESA_GATEWAY=daraja`);
  return value;
}
