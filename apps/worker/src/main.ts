import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime } from '@ledger/runtime';
import { WorkerRootModule } from './worker-root.module';

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
