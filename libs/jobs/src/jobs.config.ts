import { ConfigError, readInt, readOptional, readString, type Env } from '@ledger/config';

export type JobsConfig =
  | {
      readonly adapter: 'bullmq';
      readonly url: string;
      readonly prefix: string;
      readonly completedRetentionMs: number;
      readonly commandTimeoutMs: number;
      readonly connectTimeoutMs: number;
    }
  | {
      readonly adapter: 'in-process';
      readonly prefix: string;
      readonly leaseMs: number;
      readonly pollIntervalMs: number;
    };

const DAY_MS = 24 * 3_600_000;

/** REDIS_URL set: BullMQ on that Redis. Unset: the in-process queue over the SQL database. */
export function readJobsConfig(env: Env): JobsConfig {
  const prefix = readString(env, 'JOBS_PREFIX', 'ledger');
  const url = readOptional(env, 'REDIS_URL');
  if (url) {
    if (!/^rediss?:\/\//.test(url))
      throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
    const retentionDays = readInt(env, 'JOBS_COMPLETED_RETENTION_DAYS', 30, { min: 1, max: 365 });
    return {
      adapter: 'bullmq',
      url,
      prefix,
      completedRetentionMs: retentionDays * DAY_MS,
      // Every Redis call is bounded, so a hung Redis is an error the caller retries, not a hang.
      commandTimeoutMs: readInt(env, 'REDIS_COMMAND_TIMEOUT_MS', 5_000, { min: 100, max: 60_000 }),
      connectTimeoutMs: readInt(env, 'REDIS_CONNECT_TIMEOUT_MS', 10_000, {
        min: 100,
        max: 120_000,
      }),
    };
  }
  return {
    adapter: 'in-process',
    prefix,
    leaseMs: readInt(env, 'JOBS_LEASE_MS', 5 * 60_000, { min: 1_000, max: DAY_MS }),
    pollIntervalMs: readInt(env, 'JOBS_POLL_INTERVAL_MS', 1_000, { min: 10, max: 60_000 }),
  };
}
