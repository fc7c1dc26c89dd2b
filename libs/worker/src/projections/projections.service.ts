import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import type { EventStore } from '@ledger/event-store';
import { ProjectionRunner, ReadModelsProjector } from '@ledger/read-models';
import { WORKER_LOG } from '../log/log-reads.module';

/**
 * Runs the read-model projector. Every worker process starts one; the
 * projector's lease lets exactly one of them apply events at a time, and the
 * others take over when it goes away. It reads the log through the
 * process's shared reads, as the saga driver does.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('projections');
  readonly runner: ProjectionRunner;

  constructor(@Inject(SQL_DATABASE) db: SqlDatabase, @Inject(WORKER_LOG) store: EventStore) {
    this.runner = new ProjectionRunner(db, store, new ReadModelsProjector(), {
      onError: (error) => this.logger.error(error instanceof Error ? error.message : String(error)),
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
