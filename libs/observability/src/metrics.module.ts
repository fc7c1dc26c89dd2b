import { Module, type DynamicModule } from '@nestjs/common';
import { installCommandPathMetrics } from './command-path.metrics';
import { JOB_EVENTS, type JobEvents } from '@ledger/jobs';
import { LedgerCollectors, METRICS_JOB_QUEUES } from './ledger.collectors';
import { LedgerMetrics } from './ledger.metrics';
import { MetricsController } from './metrics.controller';
import { OBSERVABILITY_CONFIG, type ObservabilityConfig } from './observability.config';

/**
 * /metrics and the registry behind it; needs the runtime's SQL database and
 * event store, and measures `jobQueues` through JOB_QUEUE when one is provided.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: ObservabilityConfig, jobQueues: readonly string[] = []): DynamicModule {
    installCommandPathMetrics();
    const metrics = new LedgerMetrics();
    const jobEvents: JobEvents = {
      attemptFailed: (queue, outcome) => metrics.jobAttemptsFailed.inc({ queue, outcome }),
    };
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: OBSERVABILITY_CONFIG, useValue: config },
        { provide: LedgerMetrics, useValue: metrics },
        { provide: METRICS_JOB_QUEUES, useValue: jobQueues },
        { provide: JOB_EVENTS, useValue: jobEvents },
        LedgerCollectors,
      ],
      exports: [OBSERVABILITY_CONFIG, LedgerMetrics, JOB_EVENTS],
    };
  }
}
