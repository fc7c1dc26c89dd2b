import { Logger } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { continuedTrace, endingSpan } from '@ledger/tracing';
import { isPermanentError } from './job.errors';
import type {
  EnqueueOptions,
  FailedJob,
  JobCounts,
  JobHandler,
  JobQueue,
  JobState,
  JsonValue,
  ProcessOptions,
} from './job-queue.port';

/**
 * Where the correlation id of the work in progress lives (the request's id
 * while a request is served, the job's while a job runs), so that a job
 * carries the id of the request that caused it and the worker's log lines
 * for the job name it. The observability library provides it over the log
 * context; the jobs library knows only this shape.
 */
export interface JobCorrelation {
  /** The id of the request or job being served in this async context, if any. */
  current(): string | undefined;
  /** Runs `work` with `correlationId` as the id of every line logged within it. */
  run<T>(correlationId: string, work: () => Promise<T>): Promise<T>;
}

/** Told of every failed attempt, e.g. to count retries and dead letters as metrics. */
export interface JobEvents {
  attemptFailed(queue: string, outcome: 'retry' | 'dead_letter'): void;
}

/** The payload field that carries it: object payloads only, never overwriting the handler's own. */
export const CORRELATION_FIELD = 'correlationId';
/**
 * The payload field that carries the W3C `traceparent` of the enqueuing
 * span when tracing is on, so the job's span continues the request's trace.
 */
export const TRACE_FIELD = 'traceparent';
const tracer = trace.getTracer('ledger.jobs');
const PLAUSIBLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Any `JobQueue` with correlation: `enqueue` adds the current correlation id
 * to an object payload, and `process` runs each job within that id, with a
 * line when it starts and one when an attempt fails. Everything else passes
 * through.
 */
export class CorrelatedJobQueue implements JobQueue {
  private readonly logger = new Logger('jobs');

  constructor(
    private readonly inner: JobQueue,
    private readonly correlation: JobCorrelation,
    private readonly events?: JobEvents,
  ) {}

  enqueue(queue: string, name: string, payload: JsonValue, options: EnqueueOptions): Promise<void> {
    const id = this.correlation.current();
    let carried =
      id !== undefined && isObject(payload) && !(CORRELATION_FIELD in payload)
        ? { ...payload, [CORRELATION_FIELD]: id }
        : payload;
    // Without a tracer provider (tracing off) nothing is injected.
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const traceparent = carrier.traceparent;
    if (traceparent !== undefined && isObject(carried) && !(TRACE_FIELD in carried))
      carried = { ...carried, [TRACE_FIELD]: traceparent };
    return this.inner.enqueue(queue, name, carried, options);
  }

  process(queue: string, handler: JobHandler, options?: ProcessOptions): Promise<void> {
    return this.inner.process(
      queue,
      (job) => {
        const id = correlationIdOf(job.payload);
        const traced = () =>
          tracer.startActiveSpan(
            `job ${job.queue}/${job.name}`,
            {
              kind: SpanKind.CONSUMER,
              attributes: {
                'messaging.system': 'ledger.jobs',
                'messaging.destination.name': job.queue,
                'messaging.operation.name': job.name,
                'ledger.job.attempt': job.attempt,
                ...(id && { 'ledger.correlation_id': id }),
              },
            },
            traceContextOf(job.payload),
            (span) => endingSpan(span, run),
          );
        const run = async () => {
          this.logger.log(
            `Job ${job.queue}/${job.name} ${job.id}: attempt ${job.attempt} of ${job.attempts}`,
          );
          try {
            await handler(job);
          } catch (error) {
            const dead = isPermanentError(error) || job.attempt >= job.attempts;
            this.events?.attemptFailed(job.queue, dead ? 'dead_letter' : 'retry');
            this.logger.warn(
              `Job ${job.queue}/${job.name} ${job.id}: attempt ${job.attempt} of ${job.attempts} failed (${error instanceof Error ? error.name : 'error'})`,
            );
            throw error;
          }
        };
        return id ? this.correlation.run(id, traced) : traced();
      },
      options,
    );
  }

  failedJobs(queue: string, options?: { limit?: number; offset?: number }): Promise<FailedJob[]> {
    return this.inner.failedJobs(queue, options);
  }

  failedJob(queue: string, jobId: string): Promise<FailedJob | undefined> {
    return this.inner.failedJob(queue, jobId);
  }

  retryFailed(queue: string, jobId: string): Promise<boolean> {
    return this.inner.retryFailed(queue, jobId);
  }

  state(queue: string, jobId: string): Promise<JobState | undefined> {
    return this.inner.state(queue, jobId);
  }

  counts(queue: string): Promise<JobCounts> {
    return this.inner.counts(queue);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The correlation id a job carries, when it is a plausible one. */
export function correlationIdOf(payload: JsonValue): string | undefined {
  if (!isObject(payload)) return undefined;
  const id = payload[CORRELATION_FIELD];
  return typeof id === 'string' && PLAUSIBLE_ID.test(id) ? id : undefined;
}

/** The trace a job continues: the one its enqueuer was in, or a new one. */
function traceContextOf(payload: JsonValue) {
  const traceparent = isObject(payload) ? payload[TRACE_FIELD] : undefined;
  return continuedTrace(traceparent, ROOT_CONTEXT);
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
