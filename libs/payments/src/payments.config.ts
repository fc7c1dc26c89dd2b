import {
  ConfigError,
  isProduction,
  readEnum,
  readInt,
  readOptional,
  readSecret,
  type Env,
} from '@ledger/config';
import type { StripeGatewayOptions } from './stripe/stripe.gateway';

export type PaymentsConfig =
  | { readonly gateway: 'sandbox'; readonly webhookSecret: string }
  | ({ readonly gateway: 'stripe' } & StripeGatewayOptions);

const GATEWAYS = ['sandbox', 'stripe'] as const;

/**
 * PAYMENT_GATEWAY=sandbox|stripe (default sandbox). In production the choice
 * must be explicit: a service that silently "charges" through the sandbox
 * would credit wallets with money that never arrived.
 */
export function readPaymentsConfig(env: Env): PaymentsConfig {
  if (isProduction(env) && !readOptional(env, 'PAYMENT_GATEWAY')) {
    throw new ConfigError('PAYMENT_GATEWAY must be set in production (sandbox or stripe)');
  }
  const gateway = readEnum(env, 'PAYMENT_GATEWAY', GATEWAYS, 'sandbox');
  if (gateway === 'sandbox') {
    return {
      gateway,
      webhookSecret: readSecret(env, 'SANDBOX_WEBHOOK_SECRET', () => 'sandbox-webhook-secret'),
    };
  }
  return {
    gateway,
    secretKey: requiredForStripe(env, 'STRIPE_SECRET_KEY', /^(sk|rk)_/),
    webhookSecret: requiredForStripe(env, 'STRIPE_WEBHOOK_SECRET', /^whsec_/),
    api: readApiHost(env),
    timeoutMs: readInt(env, 'STRIPE_TIMEOUT_MS', 20_000, { min: 1_000, max: 120_000 }),
    maxNetworkRetries: readInt(env, 'STRIPE_MAX_NETWORK_RETRIES', 1, { min: 0, max: 5 }),
  };
}

function requiredForStripe(env: Env, name: string, shape: RegExp): string {
  const value = readOptional(env, name);
  if (!value) throw new ConfigError(`${name} must be set when PAYMENT_GATEWAY=stripe`);
  if (!shape.test(value))
    throw new ConfigError(`${name} does not look like a Stripe key (expected ${shape.source}…)`);
  return value;
}

/**
 * STRIPE_API_HOST points the SDK at a stand-in: `host`, `host:port` or
 * `http(s)://host:port`. Unset means api.stripe.com.
 */
function readApiHost(env: Env): StripeGatewayOptions['api'] {
  const raw = readOptional(env, 'STRIPE_API_HOST');
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError(`STRIPE_API_HOST must be a host, host:port or URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`STRIPE_API_HOST must use http or https, got "${url.protocol}"`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname, port, protocol };
}
