import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { Env } from '@ledger/config';
import type { PaymentGateway } from './payment-gateway.port';
import { readPaymentsConfig, type PaymentsConfig } from './payments.config';
import { SandboxGateway } from './sandbox/sandbox.gateway';
import { StripeGateway } from './stripe/stripe.gateway';
import { PAYMENT_GATEWAY } from './tokens';

export function createPaymentGateway(config: PaymentsConfig): PaymentGateway {
  if (config.gateway === 'sandbox')
    return new SandboxGateway({ webhookSecret: config.webhookSecret });
  return new StripeGateway(config);
}

/**
 * Provides `PAYMENT_GATEWAY`. Global and created once, because the sandbox
 * holds the state its events come from: two instances would be two providers.
 * Configuration is read when the module is built, so a bad value stops start-up.
 */
@Module({})
export class PaymentsModule implements OnApplicationShutdown {
  constructor(@Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway) {}

  static forRoot(env: Env = process.env): DynamicModule {
    const config = readPaymentsConfig(env);
    return {
      module: PaymentsModule,
      global: true,
      providers: [{ provide: PAYMENT_GATEWAY, useFactory: () => createPaymentGateway(config) }],
      exports: [PAYMENT_GATEWAY],
    };
  }

  onApplicationShutdown(): void {
    if (this.gateway instanceof SandboxGateway) this.gateway.close();
  }
}
