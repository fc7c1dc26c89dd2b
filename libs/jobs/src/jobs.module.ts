import {
  Inject,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigError, type Env } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { BullmqJobQueue } from './bullmq.job-queue';
import { InProcessJobQueue } from './in-process.job-queue';
import { CorrelatedJobQueue, type JobCorrelation, type JobEvents } from './job-correlation';
import type { JobQueue } from './job-queue.port';
import { readJobsConfig, type JobsConfig } from './jobs.config';
import { JOB_EVENTS, JOB_QUEUE } from './tokens';

export function createJobQueue(config: JobsConfig, db: SqlDatabase | undefined): JobQueue {
  if (config.adapter === 'bullmq') return new BullmqJobQueue(config);
  if (!db)
    throw new ConfigError(
      'The in-process job queue needs SQL_DATABASE; provide it, or set REDIS_URL for BullMQ',
    );
  return new InProcessJobQueue(db, config);
}

/**
 * Provides `JOB_QUEUE`: BullMQ when REDIS_URL is set, otherwise the
 * in-process queue on the `SQL_DATABASE` the application provides (globally,
 * or through `imports`). The queue is closed when the application shuts down.
 */
@Module({})
export class JobsModule implements OnApplicationShutdown {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}

  static forRoot(
    options: {
      env?: Env;
      imports?: ModuleMetadata['imports'];
      /** Carries request ids into jobs and the jobs' log lines (the observability library's). */
      correlation?: JobCorrelation;
    } = {},
  ): DynamicModule {
    const correlation = options.correlation;
    const config = readJobsConfig(options.env ?? process.env);
    return {
      module: JobsModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: JOB_QUEUE,
          useFactory: (db?: SqlDatabase, events?: JobEvents) => {
            const queue = createJobQueue(config, db);
            return correlation ? new CorrelatedJobQueue(queue, correlation, events) : queue;
          },
          inject: [
            { token: SQL_DATABASE, optional: true },
            { token: JOB_EVENTS, optional: true },
          ],
        },
      ],
      exports: [JOB_QUEUE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
