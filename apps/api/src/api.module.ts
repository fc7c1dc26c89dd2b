import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityModule, type Clock } from '@ledger/identity';
import { JobsModule } from '@ledger/jobs';
import { DeadLettersModule } from '@ledger/jobs/nest';
import { logCorrelation } from '@ledger/observability';
import { NotificationsModule } from '@ledger/notifications';
import { PaymentsModule } from '@ledger/payments';
import { LedgerModule } from '@ledger/ledger/nest';
import { ReadModelQueriesModule } from '@ledger/read-models/nest';
import type { Runtime } from '@ledger/runtime';
import { WorkerModule } from '@ledger/worker';
import { ProblemsController } from './http/problems.controller';
import {
  CorrelationModule,
  HealthModule,
  InfrastructureModule,
  SERVICE_QUEUES,
} from '@ledger/service';
import { CardsController } from './cards/cards.controller';
import { AsOfResolver } from './http/as-of';
import { CompletedReplayModule } from './http/completed-replay.exemption';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ReadYourWrites } from './http/read-your-writes';
import { LedgerController } from './ledger/ledger.controller';
import { StuckMovementsController } from './ledger/stuck-movements.controller';
import { CheckpointsController } from './ledger/checkpoints.controller';
import { AuditModule } from '@ledger/audit';
import { AuditQueriesModule } from '@ledger/audit/nest';
import { CurrenciesController } from './currencies/currencies.controller';
import { DeadLettersController } from './jobs/dead-letters.controller';
import { MovementsModule } from './movements/movements.module';
import { LiveEventsModule } from './live/live-events.module';
import { WalletsController } from './wallets/wallets.controller';
import { FinanceController } from './finance/finance.controller';
import { FinancePeriodsController } from './finance/finance-periods.controller';
import { FinanceModule } from '@ledger/finance/nest';
import { CARD_FORM, readCardForm } from './top-ups/card-form';
import { CardFormController } from './top-ups/card-form.controller';

export interface ApiModuleOptions {
  /** Environment for the modules that read their own configuration (identity, payments). */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock second factors are checked against; tests pin it. */
  readonly clock?: Clock;
}

/** The HTTP API. With `LEDGER_ROLE=all` (the embedded default) it also runs the worker's loops. */
@Module({})
export class ApiModule {
  static forRuntime(runtime: Runtime, options: ApiModuleOptions = {}): DynamicModule {
    const env = options.env ?? process.env;
    return {
      module: ApiModule,
      imports: [
        InfrastructureModule.forRuntime(runtime),
        CorrelationModule,
        CqrsModule.forRoot(),
        LedgerModule,
        ReadModelQueriesModule,
        IdentityModule.forRoot({ env, clock: options.clock }),
        CompletedReplayModule,
        PaymentsModule.forRoot(env),
        JobsModule.forRoot({ env, correlation: logCorrelation }),
        DeadLettersModule.forQueues(SERVICE_QUEUES),
        NotificationsModule.forRoot(env),
        MovementsModule,
        LiveEventsModule,
        HealthModule,
        AuditModule.forRoot(env),
        AuditQueriesModule,
        FinanceModule.forRoot(env),
        ...(runtime.config.role === 'all' ? [WorkerModule] : []),
      ],
      controllers: [
        WalletsController,
        LedgerController,
        StuckMovementsController,
        CheckpointsController,
        CardsController,
        ProblemsController,
        CurrenciesController,
        FinanceController,
        FinancePeriodsController,
        DeadLettersController,
        CardFormController,
      ],
      providers: [
        IdempotencyInterceptor,
        ReadYourWrites,
        AsOfResolver,
        { provide: CARD_FORM, useValue: readCardForm(env) },
      ],
    };
  }
}
