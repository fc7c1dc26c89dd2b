import { ConfigError, isProduction, readSecret, setting, type Env } from '@ledger/config';
import type { StripeGatewayOptions } from './stripe/stripe.gateway';

export type PaymentsConfig =
  | { readonly gateway: 'sandbox'; readonly webhookSecret: string }
  | ({ readonly gateway: 'stripe' } & StripeGatewayOptions);

/**
 * PAYMENT_GATEWAY=sandbox|stripe (default sandbox). In production the choice
 * must be explicit: a service that silently "charges" through the sandbox
 * would credit wallets with money that never arrived.
 */
export function readPaymentsConfig(env: Env): PaymentsConfig {
  if (isProduction(env) && !env.PAYMENT_GATEWAY) {
    throw new ConfigError('PAYMENT_GATEWAY must be set in production (sandbox or stripe)');
  }
  const gateway = setting(env, 'PAYMENT_GATEWAY');
  if (gateway === 'sandbox') {
    setting(env, 'SANDBOX_WEBHOOK_SECRET');
    return {
      gateway,
      webhookSecret: readSecret(env, 'SANDBOX_WEBHOOK_SECRET', () => 'sandbox-webhook-secret'),
    };
  }
  return {
    gateway,
    secretKey: requiredForStripe(env, 'STRIPE_SECRET_KEY'),
    webhookSecret: requiredForStripe(env, 'STRIPE_WEBHOOK_SECRET'),
    api: readApiHost(env),
    timeoutMs: setting(env, 'STRIPE_TIMEOUT_MS'),
    maxNetworkRetries: setting(env, 'STRIPE_MAX_NETWORK_RETRIES'),
  };
}

function requiredForStripe(env: Env, name: 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'): string {
  const value = setting(env, name);
  if (!value) throw new ConfigError(`${name} must be set when PAYMENT_GATEWAY=stripe`);
  return value;
}

/**
 * STRIPE_API_HOST points the SDK at a stand-in: `host`, `host:port` or
 * `http(s)://host:port`. Unset means api.stripe.com.
 */
function readApiHost(env: Env): StripeGatewayOptions['api'] {
  const raw = setting(env, 'STRIPE_API_HOST');
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
