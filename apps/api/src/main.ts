// First: tracing patches the modules the imports below load (docs/operations.md#tracing).
import { tracing } from './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadAppConfig } from '@ledger/config';
import { openRuntime } from '@ledger/runtime';
import { createApp } from './app.factory';
import { checkServiceConfiguration, tracedEventStore } from '@ledger/service';

async function main(): Promise<void> {
  checkServiceConfiguration(process.env);
  const config = loadAppConfig();
  const opened = await openRuntime(config);
  const runtime = tracing ? { ...opened, store: tracedEventStore(opened.store) } : opened;
  const app = await createApp(runtime);
  // All interfaces, as before: Fastify alone would listen on localhost only.
  await app.listen(config.port, '0.0.0.0');
  new Logger('main').log(
    `Ledger ${config.role === 'all' ? 'API and worker' : 'API'} on port ${config.port} (events: ${config.store}, read models: ${runtime.db.kind}${tracing ? `, traces: ${tracing.serviceName}` : ''})`,
  );
}

main().catch((error: unknown) => {
  // A configuration problem is the operator's to fix: say what, without a stack.
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
