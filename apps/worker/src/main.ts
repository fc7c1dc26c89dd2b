import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JobsModule } from '@ledger/jobs';
import { NotificationsModule } from '@ledger/notifications';
import { PaymentsModule } from '@ledger/payments';
import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime, type Runtime } from '@ledger/runtime';
import { InfrastructureModule } from '../../api/src/infrastructure/infrastructure.module';
import { WorkerModule } from './worker.module';

@Module({})
class WorkerRootModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: WorkerRootModule,
      imports: [
        InfrastructureModule.forRuntime(runtime),
        CqrsModule.forRoot(),
        PaymentsModule.forRoot(),
        JobsModule.forRoot(),
        NotificationsModule.forRoot(),
        WorkerModule,
      ],
    };
  }
}

/** The worker on its own (production shape): projections and sagas, no HTTP. */
async function main(): Promise<void> {
  const runtime = await openRuntime(loadAppConfig({ ...process.env, LEDGER_ROLE: 'worker' }));
  const app = await NestFactory.createApplicationContext(WorkerRootModule.forRuntime(runtime));
  app.enableShutdownHooks();
  new Logger('worker').log(
    `Worker running (events: ${runtime.config.store}, read models: ${runtime.db.kind})`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
