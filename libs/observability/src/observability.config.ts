import { ConfigError, isProduction, setting, type Env } from '@ledger/config';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Logs, metrics and health settings, read once at start-up (docs/operations.md). */
export interface ObservabilityConfig {
  readonly logLevel: LogLevelName;
  /** Human-readable lines instead of JSON: only in development, and only on a terminal. */
  readonly logPretty: boolean;
  /** False answers 404 on /metrics. */
  readonly metricsEnabled: boolean;
  /** When set, /metrics wants `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** Readiness fails once the read models trail the log by longer than this; 0 leaves lag out. */
  readonly readyMaxProjectionLagSeconds: number;
  /** The port the worker serves /health/* and /metrics on. */
  readonly workerHttpPort: number;
}

export const OBSERVABILITY_CONFIG = Symbol('OBSERVABILITY_CONFIG');

export function readObservabilityConfig(
  env: Env = process.env,
  stdoutIsTty: boolean = Boolean(process.stdout.isTTY),
): ObservabilityConfig {
  const format = setting(env, 'LOG_FORMAT');
  if (format === 'pretty' && isProduction(env))
    throw new ConfigError('LOG_FORMAT=pretty is for development; production logs are JSON');
  const metricsToken = setting(env, 'METRICS_TOKEN');
  return {
    logLevel: setting(env, 'LOG_LEVEL'),
    logPretty: format === 'pretty' && stdoutIsTty,
    metricsEnabled: setting(env, 'METRICS_ENABLED') === 'true',
    metricsToken,
    readyMaxProjectionLagSeconds: setting(env, 'HEALTH_MAX_PROJECTION_LAG_SECONDS'),
    workerHttpPort: setting(env, 'WORKER_HTTP_PORT'),
  };
}
