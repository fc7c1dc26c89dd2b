import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '@ledger/identity';
import { HealthIndicators } from './health.indicators';

/** The reply, as far as readiness sets its status (Fastify's and Express's alike). */
type Response = { status(code: number): unknown };

/**
 * Liveness (the process answers) apart from readiness (its dependencies do):
 * an orchestrator restarts on the first and only routes traffic on the
 * second, so an unreachable database takes the process out of rotation
 * without a restart loop. `GET /health` stays, answering readiness in its
 * original body for existing clients. The API and the worker serve the same routes.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process is up and serving requests' })
  live() {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Every configured dependency answers and projections keep up' })
  @ApiServiceUnavailableResponse({ description: 'Some dependency is down; `error` names it' })
  ready(@Res({ passthrough: true }) response: Response) {
    return this.readiness(response);
  }

  /** Readiness in the body existing clients read: `{ status: 'up' | 'down', checks }`. */
  @Get()
  @ApiOkResponse({ description: 'Same checks and status code as /health/ready' })
  async legacy(@Res({ passthrough: true }) response: Response) {
    const result = await this.readiness(response);
    return { status: result.status === 'ok' ? 'up' : 'down', checks: result.details };
  }

  /** Terminus throws 503 with the result; it is answered as is, not as a problem body. */
  private async readiness(response: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.indicators.readiness());
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
