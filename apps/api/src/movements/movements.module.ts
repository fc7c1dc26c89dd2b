import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import {
  ConfiguredRateProvider,
  LedgerModule,
  MovementStreamsModule,
  RATE_PROVIDER,
} from '@ledger/ledger';
import { PaymentCustomers } from '../cards/payment-customers';
import { PayoutDestinationsController } from '../payout-destinations/payout-destinations.controller';
import { PayoutDestinationsStore } from '../payout-destinations/payout-destinations.store';
import { StartTopUpHandler } from '../top-ups/start-top-up.handler';
import { TopUpsController } from '../top-ups/top-ups.controller';
import { RecipientResolver } from '../transfers/recipient.resolver';
import { StartTransferHandler } from '../transfers/start-transfer.handler';
import { TransfersController } from '../transfers/transfers.controller';
import { StripeWebhookController } from '../webhooks/stripe-webhook.controller';
import { StartWithdrawalHandler } from '../withdrawals/start-withdrawal.handler';
import { WithdrawalsController } from '../withdrawals/withdrawals.controller';
import { MovementsController } from './movements.controller';
import { WalletStatisticsQuery } from './wallet-statistics.query';

/**
 * Money movements over HTTP: transfers, card top-ups, withdrawals, the
 * provider's webhooks, payout destinations, and movement status. The routes
 * only record requests and inputs on the saga streams; the worker's
 * `SagasModule` drives them.
 *
 * Needs from global modules: SQL_DATABASE and EVENT_STORE (infrastructure),
 * IdentityModule (RecipientDirectory, TwoFactorGuard), PaymentsModule
 * (PAYMENT_GATEWAY), and a CommandBus (CqrsModule.forRoot()).
 */
@Module({
  imports: [CqrsModule, LedgerModule, MovementStreamsModule],
  controllers: [
    TransfersController,
    TopUpsController,
    WithdrawalsController,
    StripeWebhookController,
    PayoutDestinationsController,
    MovementsController,
  ],
  providers: [
    RecipientResolver,
    PayoutDestinationsStore,
    PaymentCustomers,
    StartTransferHandler,
    StartTopUpHandler,
    StartWithdrawalHandler,
    WalletStatisticsQuery,
    // Rates as exact decimals, e.g. LEDGER_FX_RATES='USD/EUR=0.92,EUR/USD=1.08'; a malformed table stops start-up.
    {
      provide: RATE_PROVIDER,
      useFactory: () => new ConfiguredRateProvider(process.env.LEDGER_FX_RATES ?? ''),
    },
  ],
  exports: [PaymentCustomers],
})
export class MovementsModule {}
