import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { Env } from '@ledger/config';
import type { PaymentGateway } from './payment-gateway.port';
import { readPaymentsConfig, type PaymentsConfig } from './payments.config';
import { SandboxGateway } from './sandbox/sandbox.gateway';
import { StripeGateway } from './stripe/stripe.gateway';
import { readMpesaConfig, type MpesaConfig } from './mpesa/mpesa.config';
import { MpesaGateway } from './mpesa/mpesa.gateway';
import { MOBILE_MONEY_GATEWAY, MPESA_CALLBACK_SECRET, PAYMENT_GATEWAY } from './tokens';

export function createPaymentGateway(config: PaymentsConfig): PaymentGateway {
  if (config.gateway === 'sandbox')
    return new SandboxGateway({ webhookSecret: config.webhookSecret });
  return new StripeGateway(config);
}

/** The mobile-money rail: Daraja, or a sandbox of its own playing M-Pesa with the same fault script. */
export function createMobileMoneyGateway(config: MpesaConfig): PaymentGateway | null {
  if (config.gateway === 'off') return null;
  if (config.gateway === 'sandbox') return new SandboxGateway({ provider: 'mpesa-sandbox' });
  return new MpesaGateway(config);
}

/**
 * Provides `PAYMENT_GATEWAY` (cards and bank payouts), `MOBILE_MONEY_GATEWAY`
 * (M-Pesa) and the M-Pesa callback path's secret. Global and created once, because the sandbox
 * holds the state its events come from: two instances would be two providers.
 * Configuration is read when the module is built, so a bad value stops start-up.
 */
@Module({})
export class PaymentsModule implements OnApplicationShutdown {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(MOBILE_MONEY_GATEWAY) private readonly mobileMoney: PaymentGateway | null,
  ) {}

  static forRoot(env: Env = process.env): DynamicModule {
    const config = readPaymentsConfig(env);
    const mpesa = readMpesaConfig(env);
    return {
      module: PaymentsModule,
      global: true,
      providers: [
        { provide: PAYMENT_GATEWAY, useFactory: () => createPaymentGateway(config) },
        { provide: MOBILE_MONEY_GATEWAY, useFactory: () => createMobileMoneyGateway(mpesa) },
        {
          provide: MPESA_CALLBACK_SECRET,
          useValue: mpesa.gateway === 'off' ? null : mpesa.callbackSecret,
        },
      ],
      exports: [PAYMENT_GATEWAY, MOBILE_MONEY_GATEWAY, MPESA_CALLBACK_SECRET],
    };
  }

  onApplicationShutdown(): void {
    for (const gateway of [this.gateway, this.mobileMoney])
      if (gateway instanceof SandboxGateway) gateway.close();
  }
}
