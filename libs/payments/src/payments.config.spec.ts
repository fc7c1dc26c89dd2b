import { ConfigError } from '@ledger/config';
import { Test } from '@nestjs/testing';
import { PaymentsModule } from './payments.module';
import { readPaymentsConfig } from './payments.config';
import { SandboxGateway } from './sandbox/sandbox.gateway';
import { StripeGateway } from './stripe/stripe.gateway';
import { PAYMENT_GATEWAY } from './tokens';

const stripeEnv = {
  PAYMENT_GATEWAY: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_1',
  STRIPE_WEBHOOK_SECRET: 'whsec_1',
};

describe('readPaymentsConfig', () => {
  it('defaults to the sandbox outside production', () => {
    expect(readPaymentsConfig({})).toMatchObject({ gateway: 'sandbox' });
  });

  it('requires an explicit gateway in production', () => {
    expect(() => readPaymentsConfig({ NODE_ENV: 'production' })).toThrow(
      /PAYMENT_GATEWAY must be set in production/,
    );
  });

  it('takes an empty PAYMENT_GATEWAY (a blank line in .env) as no choice in production', () => {
    expect(() => readPaymentsConfig({ NODE_ENV: 'production', PAYMENT_GATEWAY: '' })).toThrow(
      new ConfigError('PAYMENT_GATEWAY must be set in production (sandbox or stripe)'),
    );
  });

  it('stops the module, and so start-up, without an explicit gateway in production', () => {
    expect(() => PaymentsModule.forRoot({ NODE_ENV: 'production' })).toThrow(ConfigError);
    const sandbox = {
      NODE_ENV: 'production',
      PAYMENT_GATEWAY: 'sandbox',
      SANDBOX_WEBHOOK_SECRET: 'a-production-sandbox-secret',
    };
    expect(readPaymentsConfig(sandbox)).toEqual({
      gateway: 'sandbox',
      webhookSecret: 'a-production-sandbox-secret',
    });
  });

  it.each(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'])(
    'names %s when Stripe is chosen without it',
    (name) => {
      const env = { ...stripeEnv, [name]: undefined };
      expect(() => readPaymentsConfig(env)).toThrow(
        new ConfigError(`${name} must be set when PAYMENT_GATEWAY=stripe`),
      );
    },
  );

  it('refuses a publishable key where the secret key belongs', () => {
    expect(() => readPaymentsConfig({ ...stripeEnv, STRIPE_SECRET_KEY: 'pk_test_1' })).toThrow(
      /does not look like a Stripe key/,
    );
  });

  it('reads STRIPE_API_HOST as host:port or URL', () => {
    expect(
      readPaymentsConfig({ ...stripeEnv, STRIPE_API_HOST: 'http://127.0.0.1:12111' }),
    ).toMatchObject({
      api: { host: '127.0.0.1', port: 12111, protocol: 'http' },
    });
    expect(readPaymentsConfig({ ...stripeEnv, STRIPE_API_HOST: 'stripe.internal' })).toMatchObject({
      api: { host: 'stripe.internal', port: 443, protocol: 'https' },
    });
  });

  it('bounds every Stripe call by a timeout and a few network retries, from configuration', () => {
    expect(readPaymentsConfig(stripeEnv)).toMatchObject({
      timeoutMs: 20_000,
      maxNetworkRetries: 1,
    });
    expect(
      readPaymentsConfig({
        ...stripeEnv,
        STRIPE_TIMEOUT_MS: '5000',
        STRIPE_MAX_NETWORK_RETRIES: '0',
      }),
    ).toMatchObject({ timeoutMs: 5_000, maxNetworkRetries: 0 });
    expect(() => readPaymentsConfig({ ...stripeEnv, STRIPE_TIMEOUT_MS: '0' })).toThrow(
      /STRIPE_TIMEOUT_MS/,
    );
    expect(() => readPaymentsConfig({ ...stripeEnv, STRIPE_MAX_NETWORK_RETRIES: '50' })).toThrow(
      /STRIPE_MAX_NETWORK_RETRIES/,
    );
  });
});

describe('PaymentsModule', () => {
  it.each([
    [{}, SandboxGateway],
    [stripeEnv, StripeGateway],
  ])('provides the configured gateway', async (env, type) => {
    const moduleRef = await Test.createTestingModule({
      imports: [PaymentsModule.forRoot(env)],
    }).compile();
    expect(moduleRef.get(PAYMENT_GATEWAY)).toBeInstanceOf(type);
    await moduleRef.close();
  });
});
