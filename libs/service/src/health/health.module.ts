import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthIndicators } from './health.indicators';
import { RedisProbe } from './redis.probe';

/**
 * /health, /health/live and /health/ready for the API and the worker. Needs
 * the runtime (InfrastructureModule) and the observability config
 * (MetricsModule) in the importing application. Terminus's own failure log is
 * off: the access line of a 503 says it, and its dump would repeat the details.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthIndicators, RedisProbe],
})
export class HealthModule {}
