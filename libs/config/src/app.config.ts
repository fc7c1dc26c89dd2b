import { isProduction, ConfigError, type Env } from './env';
import { setting } from './schema/settings';

/**
 * Where the service keeps its data and how it runs, parsed once at start-up.
 *
 * With nothing configured it runs embedded: PGlite (Postgres in process) in
 * `LEDGER_DATA_DIR`, jobs in process, API and worker in one process. Setting
 * DATABASE_URL moves the read models (and, by default, the events) to
 * Postgres; EVENTSTORE_URL moves the events to EventStoreDB; REDIS_URL moves
 * jobs to BullMQ.
 */
export interface AppConfig {
  readonly production: boolean;
  /** `all` runs API and worker in one process (required with PGlite, which is single-process). */
  readonly role: 'all' | 'api' | 'worker';
  readonly port: number;
  readonly dataDir: string;
  readonly store: 'pglite' | 'postgres' | 'esdb';
  readonly databaseUrl?: string;
  readonly eventStoreUrl?: string;
  readonly redisUrl?: string;
  readonly databasePoolSize: number;
  /** Postgres `statement_timeout` on every pooled connection; 0 leaves the server's default. */
  readonly databaseStatementTimeoutMs: number;
  /** Parameterised statements as named prepared statements (off behind a pooler that does not keep them). */
  readonly databasePreparedStatements: boolean;
  /** Server-side deadline of one HTTP request: past it the client gets 503 with Retry-After. */
  readonly httpRequestTimeoutMs: number;
  /** How long a claimed Idempotency-Key answers "in progress" before another request may take it over. */
  readonly idempotencyLeaseMs: number;
  /** How long Idempotency-Keys are kept (and replayed) before the worker purges them. */
  readonly idempotencyRetentionDays: number;
  readonly bodyLimitBytes: number;
  readonly corsOrigins: readonly string[];
  /** Fastify's `trustProxy`: hops or addresses of the proxies in front, so rate limits see the client's address. */
  readonly trustProxy: string | number | false;
}

export function loadAppConfig(env: Env = process.env): AppConfig {
  const databaseUrl = setting(env, 'DATABASE_URL');
  const eventStoreUrl = setting(env, 'EVENTSTORE_URL');
  const defaultStore = eventStoreUrl ? 'esdb' : databaseUrl ? 'postgres' : 'pglite';
  const store = setting(env, 'LEDGER_STORE') ?? defaultStore;
  if (store === 'postgres' && !databaseUrl)
    throw new ConfigError('LEDGER_STORE=postgres needs DATABASE_URL');
  if (store === 'esdb' && !eventStoreUrl)
    throw new ConfigError('LEDGER_STORE=esdb needs EVENTSTORE_URL');
  if (store === 'esdb' && !databaseUrl)
    throw new ConfigError('LEDGER_STORE=esdb needs DATABASE_URL for the read models');
  const role = setting(env, 'LEDGER_ROLE');
  if (!databaseUrl && role !== 'all') {
    throw new ConfigError(
      'LEDGER_ROLE=api or worker needs DATABASE_URL: embedded PGlite serves one process',
    );
  }
  const httpRequestTimeoutMs = setting(env, 'HTTP_REQUEST_TIMEOUT_MS');
  return {
    production: isProduction(env),
    role,
    port: setting(env, 'PORT'),
    dataDir: setting(env, 'LEDGER_DATA_DIR'),
    store,
    databaseUrl,
    eventStoreUrl,
    redisUrl: setting(env, 'REDIS_URL'),
    databasePoolSize: setting(env, 'DATABASE_POOL_SIZE'),
    databaseStatementTimeoutMs: setting(env, 'DATABASE_STATEMENT_TIMEOUT_MS'),
    databasePreparedStatements: setting(env, 'DATABASE_PREPARED_STATEMENTS') === 'true',
    httpRequestTimeoutMs,
    idempotencyLeaseMs: readLease(env, httpRequestTimeoutMs),
    idempotencyRetentionDays: setting(env, 'IDEMPOTENCY_RETENTION_DAYS'),
    bodyLimitBytes: setting(env, 'HTTP_BODY_LIMIT_BYTES'),
    trustProxy: parseTrustProxy(setting(env, 'HTTP_TRUST_PROXY')),
    corsOrigins: (setting(env, 'CORS_ORIGINS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The lease must outlast the request deadline: a request that is still
 * within its deadline must never see its key taken over by a retry.
 */
function readLease(env: Env, httpRequestTimeoutMs: number): number {
  const leaseMs = setting(env, 'IDEMPOTENCY_LEASE_MS') ?? httpRequestTimeoutMs + 5_000;
  if (leaseMs <= httpRequestTimeoutMs) {
    throw new ConfigError(
      `IDEMPOTENCY_LEASE_MS must be longer than HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs}), got ${leaseMs}`,
    );
  }
  return leaseMs;
}

function parseTrustProxy(raw: string | undefined): string | number | false {
  if (raw === undefined || raw === 'false') return false;
  return /^\d{1,2}$/.test(raw) ? Number(raw) : raw;
}
