import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, HttpException, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from '@ledger/identity';
import { commandPathRegistry } from './command-path.metrics';
import { LedgerCollectors } from './ledger.collectors';
import { LedgerMetrics } from './ledger.metrics';
import { OBSERVABILITY_CONFIG, type ObservabilityConfig } from './observability.config';

/**
 * Prometheus scrapes this. Off with METRICS_ENABLED=false (404, as for any
 * unknown path); with METRICS_TOKEN set it wants that bearer token, since
 * the series describe traffic and backlog an outsider should not see.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(OBSERVABILITY_CONFIG) private readonly config: ObservabilityConfig,
    private readonly metrics: LedgerMetrics,
    private readonly collectors: LedgerCollectors,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<string> {
    if (!this.config.metricsEnabled)
      throw new HttpException(
        { error: 'not_found', message: 'Cannot GET /metrics' },
        HttpStatus.NOT_FOUND,
      );
    if (this.config.metricsToken && !bearerMatches(authorization, this.config.metricsToken))
      throw new HttpException(
        { error: 'unauthorized', message: 'A valid metrics token is required' },
        HttpStatus.UNAUTHORIZED,
      );
    await this.collectors.collect();
    const registry = Registry.merge([this.metrics.registry, commandPathRegistry]);
    response.header('Content-Type', registry.contentType);
    return registry.metrics();
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const offered = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}
