import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AUDIT_CONFIG, CheckpointFile, writeCheckpoint, type AuditConfig } from '@ledger/audit';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';

/**
 * Signs a checkpoint of the stream heads every LEDGER_CHECKPOINT_INTERVAL_MS
 * when the log has moved, and keeps checkpoints.ndjson in the data
 * directory complete. Every worker runs it; one checkpoints at a time.
 */
@Injectable()
export class CheckpointerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('checkpointer');
  private readonly file: CheckpointFile;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {
    this.file = new CheckpointFile(config.dataDir);
  }

  onApplicationBootstrap(): void {
    this.schedule(this.config.checkpointIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round; a failure is logged and the next round tries again. */
  async runOnce(): Promise<void> {
    try {
      const checkpoint = await writeCheckpoint(this.db, this.store, this.config.signingKey);
      if (checkpoint) {
        this.logger.log(`Checkpoint ${checkpoint.sequence} at ${checkpoint.position}`);
      }
      await this.file.publish(this.db);
    } catch (error) {
      this.logger.error(`Checkpoint failed: ${(error as Error).message}`);
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce().then(() => {
        this.running = undefined;
        if (this.timer) this.schedule(this.config.checkpointIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
