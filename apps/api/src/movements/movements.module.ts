import { Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ContactsModule } from '@ledger/identity';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { RATE_PROVIDER, SagaStepper } from '@ledger/ledger';
import {
  LedgerModule,
  MovementStreams,
  MovementStreamsModule,
  WalletCommands,
} from '@ledger/ledger/nest';
import { createRateProvider } from '../transfers/rate-provider.config';
import { JobQueueSagaJobs } from '@ledger/worker';
import { PaymentCustomers } from '../cards/payment-customers';
import { PayoutDestinationsController } from '../payout-destinations/payout-destinations.controller';
import { PayoutDestinationsStore } from '../payout-destinations/payout-destinations.store';
import { StartTopUpHandler } from '../top-ups/start-top-up.handler';
import { TopUpsController } from '../top-ups/top-ups.controller';
import { RecipientResolver } from '../transfers/recipient.resolver';
import { StartTransferHandler } from '../transfers/start-transfer.handler';
import { TransfersController } from '../transfers/transfers.controller';
import { TransferQuoteController } from '../transfers/transfer-quote.controller';
import { MobileMoneyPayer } from '../top-ups/mobile-money-payer';
import { MpesaCallbackController } from '../webhooks/mpesa-callback.controller';
import { StripeWebhookController } from '../webhooks/stripe-webhook.controller';
import { StartWithdrawalHandler } from '../withdrawals/start-withdrawal.handler';
import { WalletStatementController } from '../wallets/wallet-statement.controller';
import { WithdrawalsController } from '../withdrawals/withdrawals.controller';
import { ReadYourWrites } from '../http/read-your-writes';
import { PaymentsController } from '../payments/payments.controller';
import { StartPaymentHandler } from '../payments/start-payment.handler';
import { StartRefundHandler } from '../payments/start-refund.handler';
import { Counterparties } from './counterparties';
import { MovementReads } from './movement-reads';
import { MovementsController } from './movements.controller';

const stepperLogger = new Logger('sagas');

/**
 * Money movements over HTTP: transfers, card top-ups, withdrawals, the
 * provider's webhooks, payout destinations, and movement status. The routes
 * record requests and inputs on the saga streams and take the steps that can
 * be taken at once (a transfer's hold, credit and capture; a withdrawal's
 * hold); the worker's `SagasModule` drives the rest, and resumes whatever a
 * request left unfinished.
 *
 * Needs from global modules: SQL_DATABASE and EVENT_STORE (infrastructure),
 * JOB_QUEUE (JobsModule),
 * IdentityModule (RecipientDirectory, TwoFactorGuard, and the data key
 * ContactsModule decrypts counterparties' names with), PaymentsModule
 * (PAYMENT_GATEWAY), and a CommandBus (CqrsModule.forRoot()).
 */
@Module({
  imports: [CqrsModule, LedgerModule, MovementStreamsModule, ContactsModule.forRoot()],
  controllers: [
    TransfersController,
    TransferQuoteController,
    TopUpsController,
    WithdrawalsController,
    StripeWebhookController,
    MpesaCallbackController,
    PayoutDestinationsController,
    MovementsController,
    WalletStatementController,
    PaymentsController,
  ],
  providers: [
    RecipientResolver,
    PayoutDestinationsStore,
    PaymentCustomers,
    MobileMoneyPayer,
    StartTransferHandler,
    StartTopUpHandler,
    StartWithdrawalHandler,
    StartPaymentHandler,
    StartRefundHandler,
    ReadYourWrites,
    Counterparties,
    MovementReads,
    // The saga steps a request runs itself, through this process's command
    // path (its group commit and caches), enqueuing jobs on the shared queue.
    {
      provide: SagaStepper,
      useFactory: (streams: MovementStreams, wallets: WalletCommands, queue: JobQueue) =>
        new SagaStepper(streams, wallets, new JobQueueSagaJobs(queue), {
          onStuck: (stream, action, _result, why) =>
            stepperLogger.error(`Saga ${stream} cannot record ${action.step}: ${why}`),
        }),
      inject: [MovementStreams, WalletCommands, JOB_QUEUE],
    },
    // LEDGER_FX_PROVIDER_URL (docs/payments.md), falling back to LEDGER_FX_RATES='USD/EUR=0.92,…'.
    { provide: RATE_PROVIDER, useFactory: () => createRateProvider(process.env) },
  ],
  exports: [PaymentCustomers, MovementReads],
})
export class MovementsModule {}
