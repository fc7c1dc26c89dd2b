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
import { JobQueueSagaJobs } from '@ledger/worker';
import { CARD_HANDLERS } from './cards/cards.handlers';
import { PaymentCustomers } from './cards/payment-customers';
import { StartPaymentHandler } from './payments/start-payment.handler';
import { StartRefundHandler } from './payments/start-refund.handler';
import { PAYOUT_DESTINATION_HANDLERS } from './payout-destinations/payout-destinations.handlers';
import { PayoutDestinationsStore } from './payout-destinations/payout-destinations.store';
import { RecordGatewayReportHandler } from './provider-reports/gateway-report.handler';
import { RecordMpesaCallbackHandler } from './provider-reports/mpesa-callback.handler';
import { MobileMoneyPayer } from './top-ups/mobile-money-payer';
import { StartTopUpHandler } from './top-ups/start-top-up.handler';
import { createRateProvider } from './transfers/rate-provider.config';
import { RecipientResolver } from './transfers/recipient.resolver';
import { StartTransferHandler } from './transfers/start-transfer.handler';
import { TransferQuoteHandler } from './transfers/transfer-quote.query';
import { StartWithdrawalHandler } from './withdrawals/start-withdrawal.handler';

const stepperLogger = new Logger('sagas');

/**
 * The movement commands' handlers on the CommandBus (`StartTransferCommand`,
 * `StartPaymentCommand`, `StartRefundCommand`, `StartTopUpCommand`,
 * `StartWithdrawalCommand`): each checks its request, records it on the
 * movement's stream and takes the steps that can be taken at once (a
 * transfer's hold, credit and capture; a withdrawal's hold); the worker's
 * `SagasModule` drives the rest, and resumes whatever a request left
 * unfinished. Beside them: a transfer's quote (`TransferQuoteQuery`), the
 * providers' reports about movements (`RecordGatewayReportCommand`,
 * `RecordMpesaCallbackCommand`), and what a movement is checked against and
 * its owner answers for: the caller's linked cards (`SetUpCardCommand`,
 * `ConfirmedCardQuery`, `ListCardsQuery`, `UnlinkCardCommand`) and payout
 * destinations (`LinkPayoutDestinationCommand`, `ListPayoutDestinationsQuery`,
 * `UnlinkPayoutDestinationCommand`).
 *
 * Needs from global modules: SQL_DATABASE and EVENT_STORE (infrastructure),
 * JOB_QUEUE (JobsModule), IdentityModule (RecipientDirectory, and the data
 * key ContactsModule decrypts phone numbers with), PaymentsModule
 * (PAYMENT_GATEWAY, MOBILE_MONEY_GATEWAY), and a root `CqrsModule.forRoot()`.
 */
@Module({
  imports: [CqrsModule, LedgerModule, MovementStreamsModule, ContactsModule.forRoot()],
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
    TransferQuoteHandler,
    RecordGatewayReportHandler,
    RecordMpesaCallbackHandler,
    ...CARD_HANDLERS,
    ...PAYOUT_DESTINATION_HANDLERS,
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
  exports: [RecipientResolver, RATE_PROVIDER],
})
export class MovementHandlersModule {}
