import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { projectionStatus, READ_MODELS_PROJECTOR } from '@ledger/read-models';
import { LedgerMetrics } from './ledger.metrics';

/** The queues whose depth, retries and dead letters are measured; the application names them. */
export const METRICS_JOB_QUEUES = Symbol('METRICS_JOB_QUEUES');

/** A scrape answers within this even when the database is slow; the series keep their last values. */
const COLLECT_TIMEOUT_MS = 2_000;
/** Rows read per grouped query: kinds × statuses, drivers, queues × states are all small sets. */
const GROUP_LIMIT = 200;

/**
 * Fills the stored-state gauges just before a scrape, from the tables the
 * operators' endpoints already read: the projection checkpoint against the
 * log's head, movements (one row per saga), saga_parking, and the job
 * queue's counts (from Redis with BullMQ, the jobs table otherwise). Each collector fails alone and is counted, so one missing
 * table does not blank the rest.
 */
@Injectable()
export class LedgerCollectors {
  private readonly logger = new Logger('metrics');

  constructor(
    private readonly metrics: LedgerMetrics,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(JOB_QUEUE) private readonly jobQueue?: JobQueue,
    @Optional() @Inject(METRICS_JOB_QUEUES) private readonly jobQueues: readonly string[] = [],
  ) {}

  async collect(): Promise<void> {
    await Promise.all([
      this.run('projection', () => this.projection()),
      this.run('sagas', () => this.sagas()),
      this.run('parked', () => this.parked()),
      this.run('jobs', () => this.jobs()),
    ]);
  }

  private async run(name: string, collector: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out`)), COLLECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([collector(), timeout]);
    } catch (error) {
      this.metrics.scrapeErrors.inc({ collector: name });
      this.logger.warn(
        `collector ${name} failed: ${error instanceof Error ? error.name : 'error'}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private async projection(): Promise<void> {
    const status = await projectionStatus(this.db, this.store, READ_MODELS_PROJECTOR);
    const labels = { projection: status.name };
    this.metrics.projectionLag.set(labels, status.lagSeconds);
    this.metrics.projectionEventsBehind.set(labels, status.eventsBehind);
    this.metrics.projectionPosition.set(labels, Number(status.checkpoint.commit));
    this.metrics.headPosition.set(Number(status.head.commit));
  }

  private async sagas(): Promise<void> {
    const { rows } = await this.db.query<{ kind: string; status: string; n: string }>(
      `SELECT kind, status, count(*) AS n FROM movements GROUP BY kind, status LIMIT ${GROUP_LIMIT}`,
    );
    this.metrics.sagas.reset();
    for (const r of rows) this.metrics.sagas.set({ kind: r.kind, status: r.status }, Number(r.n));
  }

  private async parked(): Promise<void> {
    const { rows } = await this.db.query<{ driver: string; n: string; oldest: number | null }>(
      `SELECT driver, count(*) AS n, EXTRACT(EPOCH FROM now() - min(parked_at))::float8 AS oldest
         FROM saga_parking GROUP BY driver LIMIT ${GROUP_LIMIT}`,
    );
    this.metrics.sagasParked.reset();
    for (const r of rows) this.metrics.sagasParked.set({ driver: r.driver }, Number(r.n));
    this.metrics.oldestParkedSeconds.set(Math.max(0, ...rows.map((r) => Number(r.oldest ?? 0))));
  }

  /** Through the job queue port, so BullMQ's queues in Redis count as the in-process queue's table does. */
  private async jobs(): Promise<void> {
    const queue = this.jobQueue;
    if (!queue) return;
    const counted = await Promise.all(
      this.jobQueues.map(async (name) => ({ name, counts: await queue.counts(name) })),
    );
    this.metrics.jobs.reset();
    this.metrics.jobsRetrying.reset();
    for (const { name, counts } of counted) {
      for (const state of ['waiting', 'delayed', 'active', 'failed'] as const)
        this.metrics.jobs.set({ queue: name, state }, counts[state]);
      this.metrics.jobsRetrying.set({ queue: name }, counts.retrying);
    }
  }
}
