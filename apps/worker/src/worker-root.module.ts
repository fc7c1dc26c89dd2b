import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CqrsModule } from '@nestjs/cqrs';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from '@ledger/audit';
import { JobsModule } from '@ledger/jobs';
import { NotificationsModule } from '@ledger/notifications';
import {
  chooseRequestId,
  createRootLogger,
  LoggingModule,
  logCorrelation,
  MetricsModule,
  readObservabilityConfig,
  registerAccessLog,
} from '@ledger/observability';
import { PaymentsModule } from '@ledger/payments';
import type { Runtime } from '@ledger/runtime';
import {
  CorrelationModule,
  HealthModule,
  InfrastructureModule,
  SERVICE_QUEUES,
} from '@ledger/service';
import { WorkerModule } from '@ledger/worker';

/**
 * The worker process on its own (`LEDGER_ROLE=worker`): projections and
 * sagas, with its own payment gateway, job queue and notifier, and an HTTP
 * port for /health/live, /health/ready and /metrics only. `env` is where
 * those read their configuration; tests pass their own.
 */
@Module({})
export class WorkerRootModule {
  static forRuntime(runtime: Runtime, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: WorkerRootModule,
      imports: [
        InfrastructureModule.forRuntime(runtime),
        CorrelationModule,
        CqrsModule.forRoot(),
        PaymentsModule.forRoot(env),
        JobsModule.forRoot({ env, correlation: logCorrelation }),
        NotificationsModule.forRoot(env),
        AuditModule.forRoot(env),
        MetricsModule.forRoot(readObservabilityConfig(env), SERVICE_QUEUES),
        HealthModule,
        WorkerModule,
      ],
    };
  }
}

export interface WorkerAppOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where JSON log lines go instead of stdout; tests read or silence them. */
  readonly logDestination?: DestinationStream;
  readonly silent?: boolean;
}

/** The worker as an HTTP application; main.ts listens on WORKER_HTTP_PORT. */
export async function createWorkerApp(
  runtime: Runtime,
  options: WorkerAppOptions = {},
): Promise<NestFastifyApplication> {
  const env = options.env ?? process.env;
  const logger = createRootLogger(readObservabilityConfig(env), {
    destination: options.logDestination,
    level: options.silent ? 'silent' : undefined,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: WorkerHttpModule,
      imports: [LoggingModule.forRoot(logger), WorkerRootModule.forRuntime(runtime, env)],
    },
    new FastifyAdapter({ genReqId: chooseRequestId, logger: false }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // Nest flushes what it buffered at listen() only: an app that is only
  // initialised (tests, a failed listen) would otherwise keep its lines.
  app.flushLogs();
  registerAccessLog(app.getHttpAdapter().getInstance(), logger);
  app.enableShutdownHooks();
  return app;
}

/** The worker with pino logging around it. */
@Module({})
class WorkerHttpModule {}
