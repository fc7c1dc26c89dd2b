import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, formatPosition, type EventStore } from '@ledger/event-store';
import { Public } from '@ledger/identity';
import { RedisProbe } from './redis.probe';

type Check = { status: 'up' | 'down'; detail?: string; [key: string]: unknown };

/** Liveness and readiness in one: 200 when every configured dependency answers, 503 otherwise. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly redis: RedisProbe,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'Every configured dependency answers' })
  async health(@Res({ passthrough: true }) response: Response) {
    const [eventStore, database, redis] = await Promise.all([
      check(async () => ({
        adapter: this.config.store,
        head: formatPosition(await this.store.headPosition()),
      })),
      check(async () => {
        await this.db.query('SELECT 1');
        return { adapter: this.db.kind };
      }),
      this.config.redisUrl ? check(() => this.redis.ping()) : Promise.resolve(undefined),
    ]);
    const checks = { eventStore, database, ...(redis && { redis }) };
    const up = Object.values(checks).every((c) => c.status === 'up');
    response.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: up ? 'up' : 'down', checks };
  }
}

async function check(probe: () => Promise<Record<string, unknown>>): Promise<Check> {
  try {
    return { status: 'up', ...(await withTimeout(probe(), 2_000)) };
  } catch (error) {
    // Name the failure without leaking connection strings or driver internals.
    return { status: 'down', detail: error instanceof Error ? error.name : 'unreachable' };
  }
}

function withTimeout<T>(promise: Promise<T>, timeout_ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(Object.assign(new Error(), { name: 'Timeout' })), timeout_ms).unref(),
    ),
  ]);
}
