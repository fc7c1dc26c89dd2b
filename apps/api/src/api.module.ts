import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { IdentityModule, type Clock } from '@ledger/identity';
import { JobsModule } from '@ledger/jobs';
import { NotificationsModule } from '@ledger/notifications';
import { PaymentsModule } from '@ledger/payments';
import { LedgerModule } from '@ledger/ledger/nest';
import type { Runtime } from '@ledger/runtime';
import { WorkerModule } from '../../worker/src/worker.module';
import { ProblemsController } from './http/problems.controller';
import { HealthModule } from './health/health.module';
import { CardsController } from './cards/cards.controller';
import { AsOfResolver } from './http/as-of';
import { CompletedReplayModule } from './http/completed-replay.exemption';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ReadYourWrites } from './http/read-your-writes';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { LedgerController } from './ledger/ledger.controller';
import { CheckpointsController } from './ledger/checkpoints.controller';
import { AuditModule } from '@ledger/audit';
import { LedgerVerification } from './ledger/ledger-verification.service';
import { CurrenciesController } from './currencies/currencies.controller';
import { MovementsModule } from './movements/movements.module';
import { LiveEventsModule } from './live/live-events.module';
import { WalletsController } from './wallets/wallets.controller';

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
        CqrsModule.forRoot(),
        LedgerModule,
        IdentityModule.forRoot({ env, clock: options.clock }),
        CompletedReplayModule,
        PaymentsModule.forRoot(env),
        JobsModule.forRoot({ env }),
        NotificationsModule.forRoot(env),
        MovementsModule,
        LiveEventsModule,
        HealthModule,
        AuditModule.forRoot(env),
        ...(runtime.config.role === 'all' ? [WorkerModule] : []),
      ],
      controllers: [
        WalletsController,
        LedgerController,
        CheckpointsController,
        CardsController,
        ProblemsController,
        CurrenciesController,
      ],
      providers: [IdempotencyInterceptor, ReadYourWrites, AsOfResolver, LedgerVerification],
    };
  }
}
