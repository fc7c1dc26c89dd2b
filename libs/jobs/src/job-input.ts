import { InvalidJobError } from './job.errors';
import {
  JOB_LIMITS,
  type EnqueueOptions,
  type JsonValue,
  type ProcessOptions,
} from './job-queue.port';

const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
/** No `~`, so adapters may use it to escape characters their backend reserves. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface ResolvedJob {
  readonly payloadJson: string;
  readonly attempts: number;
  readonly backoffBaseMs: number;
  readonly delayMs: number;
}

/** Validates an enqueue once for every adapter and fills in the defaults. */
export function resolveJob(
  queue: string,
  name: string,
  payload: JsonValue,
  options: EnqueueOptions,
): ResolvedJob {
  checkQueueName(queue);
  if (!JOB_NAME.test(name))
    throw new InvalidJobError(`Job name "${name.slice(0, 120)}" must match ${JOB_NAME.source}`);
  checkJobId(options.jobId);
  const payloadJson = JSON.stringify(payload);
  if (Buffer.byteLength(payloadJson) > JOB_LIMITS.payloadBytes) {
    throw new InvalidJobError(
      `Payload of job ${options.jobId} exceeds ${JOB_LIMITS.payloadBytes} bytes`,
    );
  }
  return {
    payloadJson,
    attempts: within(
      'attempts',
      options.attempts ?? JOB_LIMITS.attempts.default,
      JOB_LIMITS.attempts,
    ),
    backoffBaseMs: within(
      'backoff.baseMs',
      options.backoff?.baseMs ?? JOB_LIMITS.backoffBaseMs.default,
      JOB_LIMITS.backoffBaseMs,
    ),
    delayMs: within('delayMs', options.delayMs ?? 0, JOB_LIMITS.delayMs),
  };
}

export function resolveConcurrency(options: ProcessOptions | undefined): number {
  return within(
    'concurrency',
    options?.concurrency ?? JOB_LIMITS.concurrency.default,
    JOB_LIMITS.concurrency,
  );
}

export function resolveFailedLimit(limit: number | undefined): number {
  return within('limit', limit ?? 100, { min: 1, max: JOB_LIMITS.failedPage });
}

export function resolveFailedOffset(offset: number | undefined): number {
  return within('offset', offset ?? 0, { min: 0, max: JOB_LIMITS.failedPage });
}

export function checkQueueName(queue: string): void {
  if (!QUEUE_NAME.test(queue))
    throw new InvalidJobError(`Queue name "${queue.slice(0, 80)}" must match ${QUEUE_NAME.source}`);
}

export function checkJobId(jobId: string): void {
  if (!JOB_ID.test(jobId))
    throw new InvalidJobError(`Job id "${jobId.slice(0, 220)}" must match ${JOB_ID.source}`);
}

export function checkPrefix(prefix: string): void {
  if (!PREFIX.test(prefix))
    throw new InvalidJobError(
      `Job key prefix "${prefix.slice(0, 80)}" must match ${PREFIX.source}`,
    );
}

function within(field: string, value: number, range: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new InvalidJobError(
      `${field} must be a whole number from ${range.min} to ${range.max}, got ${value}`,
    );
  }
  return value;
}
