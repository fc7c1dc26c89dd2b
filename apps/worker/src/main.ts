// First: tracing patches the modules the imports below load (docs/operations.md#tracing).
import { tracing } from './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from '@ledger/config';
import { readObservabilityConfig } from '@ledger/observability';
import { openRuntime } from '@ledger/runtime';
import { checkServiceConfiguration, tracedEventStore } from '@ledger/service';
import { createWorkerApp } from './worker-root.module';

/**
 * The worker on its own (production shape): projections and sagas, with
 * health and metrics on WORKER_HTTP_PORT. That port serves nothing else; keep
 * it off public networks like the stores themselves.
 */
async function main(): Promise<void> {
  const env = { ...process.env, LEDGER_ROLE: 'worker' };
  checkServiceConfiguration(env);
  const { workerHttpPort } = readObservabilityConfig(env);
  const opened = await openRuntime(loadAppConfig(env));
  const runtime = tracing ? { ...opened, store: tracedEventStore(opened.store) } : opened;
  const app = await createWorkerApp(runtime, { env });
  // All interfaces: Fastify alone would listen on localhost only.
  await app.listen(workerHttpPort, '0.0.0.0');
  new Logger('worker').log(
    `Worker running, health and metrics on port ${workerHttpPort} (events: ${runtime.config.store}, read models: ${runtime.db.kind}${tracing ? `, traces: ${tracing.serviceName}` : ''})`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
