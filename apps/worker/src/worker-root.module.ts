import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { JobsModule } from '@ledger/jobs';
import { NotificationsModule } from '@ledger/notifications';
import { PaymentsModule } from '@ledger/payments';
import type { Runtime } from '@ledger/runtime';
import { InfrastructureModule } from '../../api/src/infrastructure/infrastructure.module';
import { WorkerModule } from './worker.module';

/**
 * The worker process on its own (`LEDGER_ROLE=worker`): projections and
 * sagas, no HTTP, with its own payment gateway, job queue and notifier.
 * `env` is where those read their configuration; tests pass their own.
 */
@Module({})
export class WorkerRootModule {
  static forRuntime(runtime: Runtime, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: WorkerRootModule,
      imports: [
        InfrastructureModule.forRuntime(runtime),
        CqrsModule.forRoot(),
        PaymentsModule.forRoot(env),
        JobsModule.forRoot({ env }),
        NotificationsModule.forRoot(env),
        WorkerModule,
      ],
    };
  }
}
