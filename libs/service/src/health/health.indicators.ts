import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, formatPosition, type EventStore } from '@ledger/event-store';
import { OBSERVABILITY_CONFIG, type ObservabilityConfig } from '@ledger/observability';
import { projectionStatus, READ_MODELS_PROJECTOR } from '@ledger/read-models';
import { RedisProbe } from './redis.probe';

/** No probe may hold a readiness answer longer than this. */
const PROBE_TIMEOUT_MS = 2_000;

/** The dependencies readiness asks, each one a terminus indicator. */
@Injectable()
export class HealthIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBSERVABILITY_CONFIG) private readonly observability: ObservabilityConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly redis: RedisProbe,
  ) {}

  /** The indicators that apply to this process's configuration. */
  readiness(): Array<() => Promise<HealthIndicatorResult>> {
    return [
      () => this.eventStore(),
      () => this.database(),
      ...(this.config.redisUrl ? [() => this.redisReply()] : []),
      ...(this.observability.readyMaxProjectionLagSeconds > 0 ? [() => this.projectionLag()] : []),
    ];
  }

  private eventStore() {
    return this.probe('eventStore', async () => ({
      adapter: this.config.store,
      head: formatPosition(await this.store.headPosition()),
    }));
  }

  private database() {
    return this.probe('database', async () => {
      await this.db.query('SELECT 1');
      return { adapter: this.db.kind };
    });
  }

  private redisReply() {
    return this.probe('redis', () => this.redis.ping());
  }

  private async projectionLag(): Promise<HealthIndicatorResult> {
    const bound = this.observability.readyMaxProjectionLagSeconds;
    const indicator = this.health.check('projectionLag');
    try {
      const status = await withTimeout(
        projectionStatus(this.db, this.store, READ_MODELS_PROJECTOR),
        PROBE_TIMEOUT_MS,
      );
      const details = { lagSeconds: status.lagSeconds, maxLagSeconds: bound };
      return status.lagSeconds <= bound ? indicator.up(details) : indicator.down(details);
    } catch (error) {
      return indicator.down({ detail: failureName(error) });
    }
  }

  private async probe<K extends string>(
    key: K,
    probe: () => Promise<Record<string, unknown>>,
  ): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      return indicator.up(await withTimeout(probe(), PROBE_TIMEOUT_MS));
    } catch (error) {
      return indicator.down({ detail: failureName(error) });
    }
  }
}

/** Names the failure without connection strings or driver messages. */
function failureName(error: unknown): string {
  return error instanceof Error ? error.name : 'unreachable';
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(), { name: 'Timeout' })), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
