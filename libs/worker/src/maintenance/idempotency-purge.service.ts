import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { purgeIdempotencyKeys } from './idempotency-keys.purge';

/** How often the purge runs; retention is counted in days, so hourly is prompt enough. */
export const PURGE_INTERVAL_MS = 60 * 60_000;
/** The first run waits until start-up (migrations, projections catching up) has settled. */
const FIRST_PURGE_DELAY_MS = 60_000;

/**
 * Purges Idempotency-Keys past IDEMPOTENCY_RETENTION_DAYS, once shortly
 * after start and then every PURGE_INTERVAL_MS. Every worker runs it; the
 * purge itself is safe to run in several processes at once.
 */
@Injectable()
export class IdempotencyPurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('maintenance');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_PURGE_DELAY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One purge run; errors are logged and the next run tries again. */
  async runOnce(): Promise<number> {
    try {
      const deleted = await purgeIdempotencyKeys(this.db, this.config.idempotencyRetentionDays);
      if (deleted > 0) this.logger.log(`Purged ${deleted} Idempotency-Keys past retention`);
      return deleted;
    } catch (error) {
      this.logger.error(`Idempotency-Key purge failed: ${(error as Error).message}`);
      return 0;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(() => {
        this.running = undefined;
        if (this.timer) this.schedule(PURGE_INTERVAL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }
}
