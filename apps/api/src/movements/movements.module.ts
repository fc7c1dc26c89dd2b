import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ContactsModule } from '@ledger/identity';
import { LedgerModule, MovementStreamsModule } from '@ledger/ledger/nest';
import { MovementHandlersModule } from '@ledger/movements';
import { PayoutDestinationsController } from '../payout-destinations/payout-destinations.controller';
import { TopUpsController } from '../top-ups/top-ups.controller';
import { TransfersController } from '../transfers/transfers.controller';
import { TransferQuoteController } from '../transfers/transfer-quote.controller';
import { MpesaCallbackController } from '../webhooks/mpesa-callback.controller';
import { StripeWebhookController } from '../webhooks/stripe-webhook.controller';
import { WalletStatementController } from '../wallets/wallet-statement.controller';
import { WithdrawalsController } from '../withdrawals/withdrawals.controller';
import { ReadYourWrites } from '../http/read-your-writes';
import { PaymentsController } from '../payments/payments.controller';
import { Counterparties } from './counterparties';
import { MovementReads } from './movement-reads';
import { MovementsController } from './movements.controller';

/**
 * Money movements over HTTP: transfers and their quotes, payments and
 * refunds, card and M-Pesa top-ups, withdrawals, the providers' webhooks,
 * payout destinations, and movement status. The routes send the movement
 * commands on the CommandBus; their handlers (`@ledger/movements`) record
 * the requests on the saga streams and take the steps that can be taken at
 * once, and the worker's `SagasModule` drives the rest.
 *
 * Needs from global modules: SQL_DATABASE and EVENT_STORE (infrastructure),
 * JOB_QUEUE (JobsModule), IdentityModule (RecipientDirectory, TwoFactorGuard,
 * and the data key ContactsModule decrypts counterparties' names with),
 * PaymentsModule (PAYMENT_GATEWAY), and a CommandBus (CqrsModule.forRoot()).
 */
@Module({
  imports: [
    CqrsModule,
    LedgerModule,
    MovementStreamsModule,
    MovementHandlersModule,
    ContactsModule.forRoot(),
  ],
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
  providers: [ReadYourWrites, Counterparties, MovementReads],
  exports: [MovementHandlersModule, MovementReads],
})
export class MovementsModule {}
