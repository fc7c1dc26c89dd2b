import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LedgerModule } from '@ledger/ledger';
import type { Runtime } from '@ledger/runtime';
import { HealthController } from './health/health.controller';
import { RedisProbe } from './health/redis.probe';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';

/** The HTTP API. With `LEDGER_ROLE=all` (the embedded default) it also runs the worker's loops. */
@Module({})
export class ApiModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: ApiModule,
      imports: [InfrastructureModule.forRuntime(runtime), CqrsModule.forRoot(), LedgerModule],
      controllers: [HealthController],
      providers: [RedisProbe, IdempotencyInterceptor],
    };
  }
}
