import {
  ConfigError,
  isProduction,
  readEnum,
  readInt,
  readOptional,
  type Env,
} from '@ledger/config';

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
  const format = readEnum(env, 'LOG_FORMAT', ['json', 'pretty'] as const, 'json');
  if (format === 'pretty' && isProduction(env))
    throw new ConfigError('LOG_FORMAT=pretty is for development; production logs are JSON');
  const metricsToken = readOptional(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16)
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  return {
    logLevel: readEnum(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logPretty: format === 'pretty' && stdoutIsTty,
    metricsEnabled: readEnum(env, 'METRICS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    metricsToken,
    readyMaxProjectionLagSeconds: readInt(env, 'HEALTH_MAX_PROJECTION_LAG_SECONDS', 300, {
      min: 0,
      max: 86_400,
    }),
    workerHttpPort: readInt(env, 'WORKER_HTTP_PORT', 3001, { min: 0, max: 65_535 }),
  };
}
