import { Module, type DynamicModule } from '@nestjs/common';
import { installCommandPathMetrics } from './command-path.metrics';
import { LedgerCollectors } from './ledger.collectors';
import { LedgerMetrics } from './ledger.metrics';
import { MetricsController } from './metrics.controller';
import { OBSERVABILITY_CONFIG, type ObservabilityConfig } from './observability.config';

/** /metrics and the registry behind it; needs the runtime's SQL database and event store. */
@Module({})
export class MetricsModule {
  static forRoot(config: ObservabilityConfig): DynamicModule {
    installCommandPathMetrics();
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: OBSERVABILITY_CONFIG, useValue: config },
        { provide: LedgerMetrics, useValue: new LedgerMetrics() },
        LedgerCollectors,
      ],
      exports: [OBSERVABILITY_CONFIG, LedgerMetrics],
    };
  }
}
