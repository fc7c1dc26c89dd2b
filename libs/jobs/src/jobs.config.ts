import { setting, type Env } from '@ledger/config';

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
  const prefix = setting(env, 'JOBS_PREFIX');
  const url = setting(env, 'REDIS_URL');
  if (url) {
    const retentionDays = setting(env, 'JOBS_COMPLETED_RETENTION_DAYS');
    return {
      adapter: 'bullmq',
      url,
      prefix,
      completedRetentionMs: retentionDays * DAY_MS,
      // Every Redis call is bounded, so a hung Redis is an error the caller retries, not a hang.
      commandTimeoutMs: setting(env, 'REDIS_COMMAND_TIMEOUT_MS'),
      connectTimeoutMs: setting(env, 'REDIS_CONNECT_TIMEOUT_MS'),
    };
  }
  return {
    adapter: 'in-process',
    prefix,
    leaseMs: setting(env, 'JOBS_LEASE_MS'),
    pollIntervalMs: setting(env, 'JOBS_POLL_INTERVAL_MS'),
  };
}
