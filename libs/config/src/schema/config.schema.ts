/* eslint-disable max-lines -- the one declaration of every environment variable
   (docs/contributing.md); split, it would be two places. */
import { z } from 'zod';
import { base64Key, integer, minorUnits, oneOf, text, url, type Kind } from './kinds';

/**
 * Every environment variable the service reads, in one place: its section,
 * form, default, whether it is a secret, and what it means. The typed
 * readers of each library (`readIdentityConfig`, `readJobsConfig`, …) take
 * their values from here with `setting(env, NAME)`; start-up checks the whole
 * environment against it at once (`checkConfiguration`); `.env.example` and
 * the configuration table in README.md are generated from it
 * (`npm run config:example`) and CI fails when they drift.
 *
 * To add a variable: add one entry here (in its section), read it with
 * `setting(env, …)` and run `npm run config:example`.
 */
export interface VariableSpec<T> {
  readonly section: Section;
  readonly kind: Kind<T>;
  /** What it does, one sentence; shown in `.env.example` and the docs' table. */
  readonly description: string;
  /** A secret has no default and no example value, and its value never appears in messages. */
  readonly secret?: boolean;
  /** How the default is derived when it is not a fixed value ("generated in development"). */
  readonly derivedDefault?: string;
}

export const SECTIONS = [
  'Service',
  'Storage',
  'HTTP',
  'Identity',
  'Audit',
  'Card payments',
  'M-Pesa',
  'FX rates',
  'Notifications',
  'Jobs',
  'Sagas',
  'Finance',
  'Command path',
  'Live updates',
  'Observability',
  'Tracing',
] as const;
export type Section = (typeof SECTIONS)[number];

const DEV_SECRET = 'generated in development (kept in LEDGER_DATA_DIR); required in production';
const DAY_MS = 86_400_000;
const DAY_SECONDS = 86_400;

function variable<T>(spec: VariableSpec<T>): VariableSpec<T> {
  return spec;
}

export const VARIABLES = {
  // Service
  NODE_ENV: variable({
    section: 'Service',
    kind: text(),
    description:
      '`production` refuses to start without secrets and an explicit payment gateway, and refuses pretty logs',
  }),
  PORT: variable({
    section: 'Service',
    kind: integer({ min: 0, max: 65_535 }, 3000),
    description: 'HTTP port of the API',
  }),
  LEDGER_ROLE: variable({
    section: 'Service',
    kind: oneOf(['all', 'api', 'worker'], 'all'),
    description:
      '`all` runs the API and the worker in one process; `api` and `worker` need DATABASE_URL',
  }),
  LEDGER_DATA_DIR: variable({
    section: 'Service',
    kind: text({ fallback: '.data' }),
    description: 'embedded mode: PGlite data, the outbox and locally generated development secrets',
  }),
  LEDGER_WEB_DIR: variable({
    section: 'Service',
    kind: text(),
    derivedDefault: '`dist/web`',
    description: 'the built web app served at `/`; nothing is served there without its index.html',
  }),

  // Storage
  DATABASE_URL: variable({
    section: 'Storage',
    kind: url(['postgres', 'postgresql'], 'postgres://user@host:5432/ledger'),
    secret: true,
    description:
      'Postgres for read models and identities (and events, unless EVENTSTORE_URL is set); PGlite without it',
  }),
  EVENTSTORE_URL: variable({
    section: 'Storage',
    kind: url(['esdb', 'esdb+discover'], 'esdb://localhost:2113?tls=false'),
    secret: true,
    description: 'EventStoreDB for the events',
  }),
  LEDGER_STORE: variable({
    section: 'Storage',
    kind: oneOf(['pglite', 'postgres', 'esdb']),
    derivedDefault: '`esdb` with EVENTSTORE_URL, else `postgres` with DATABASE_URL, else `pglite`',
    description: 'where the events live',
  }),
  REDIS_URL: variable({
    section: 'Storage',
    kind: url(['redis', 'rediss'], 'redis://localhost:6379'),
    secret: true,
    description: 'BullMQ jobs and shared rate limits on Redis; jobs in process without it',
  }),
  DATABASE_POOL_SIZE: variable({
    section: 'Storage',
    kind: integer({ min: 1, max: 200 }, 10),
    description: 'Postgres connections per process',
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: variable({
    section: 'Storage',
    kind: integer({ min: 0, max: 3_600_000 }, 30_000),
    description: "Postgres `statement_timeout` on every pooled connection; `0` keeps the server's",
  }),
  DATABASE_PREPARED_STATEMENTS: variable({
    section: 'Storage',
    kind: oneOf(['true', 'false'], 'true'),
    description:
      'named prepared statements, parsed once per connection; `false` behind a pooler that does not keep them',
  }),

  // HTTP
  HTTP_REQUEST_TIMEOUT_MS: variable({
    section: 'HTTP',
    kind: integer({ min: 100, max: 600_000 }, 10_000),
    description:
      "a request's server-side deadline: past it, 503 with Retry-After while the work finishes",
  }),
  IDEMPOTENCY_LEASE_MS: variable({
    section: 'HTTP',
    kind: integer({ min: 1_000, max: 3_600_000 }),
    derivedDefault: 'HTTP_REQUEST_TIMEOUT_MS + 5000',
    description:
      'how long a claimed Idempotency-Key answers "in progress" before a retry may take it over; longer than the deadline',
  }),
  IDEMPOTENCY_RETENTION_DAYS: variable({
    section: 'HTTP',
    kind: integer({ min: 1, max: 3_650 }, 30),
    description: 'days Idempotency-Keys are kept and replayed before the worker purges them',
  }),
  HTTP_BODY_LIMIT_BYTES: variable({
    section: 'HTTP',
    kind: integer({ min: 1024, max: 10 * 1024 * 1024 }, 64 * 1024),
    description: 'largest accepted request body',
  }),
  CORS_ORIGINS: variable({
    section: 'HTTP',
    kind: text({ form: 'comma-separated origins, e.g. https://app.example.com' }),
    description: 'origins allowed by CORS; none without it',
  }),
  HTTP_TRUST_PROXY: variable({
    section: 'HTTP',
    kind: text({ form: '`false`, a hop count, or proxy addresses' }),
    derivedDefault: '`false`',
    description: 'Fastify `trustProxy` behind a proxy, so per-IP limits see the client',
  }),

  // Identity
  LEDGER_JWT_SECRET: variable({
    section: 'Identity',
    kind: text({ pattern: /^.{32,}$/s, form: 'at least 32 characters' }),
    secret: true,
    derivedDefault: DEV_SECRET,
    description: 'HMAC key of access tokens (docs/identity.md)',
  }),
  LEDGER_IDENTITY_DATA_KEY: variable({
    section: 'Identity',
    kind: base64Key(32),
    secret: true,
    derivedDefault: DEV_SECRET,
    description: 'key personal data is encrypted and looked up with',
  }),
  LEDGER_JWT_ISSUER: variable({
    section: 'Identity',
    kind: text({ fallback: 'ledger' }),
    description: '`iss` of access tokens',
  }),
  LEDGER_JWT_AUDIENCE: variable({
    section: 'Identity',
    kind: text({ fallback: 'ledger-api' }),
    description: '`aud` of access tokens',
  }),
  LEDGER_ACCESS_TOKEN_TTL_SECONDS: variable({
    section: 'Identity',
    kind: integer({ min: 60, max: 3600 }, 900),
    description: 'lifetime of an access token',
  }),
  LEDGER_REFRESH_TOKEN_TTL_SECONDS: variable({
    section: 'Identity',
    kind: integer({ min: 3600, max: 90 * DAY_SECONDS }, 30 * DAY_SECONDS),
    description: 'lifetime of a refresh token',
  }),
  LEDGER_DEFAULT_CURRENCY: variable({
    section: 'Identity',
    kind: text({ pattern: /^[A-Z]{3}$/, form: 'an ISO 4217 code such as USD', fallback: 'USD' }),
    description: "currency of a new user's first wallet",
  }),
  LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: variable({
    section: 'Identity',
    kind: integer({ min: 1, max: 10_000 }, 30),
    description: 'sign-ups and requests for e-mailed codes per IP per minute',
  }),
  LEDGER_REFRESH_RATE_LIMIT_PER_MINUTE: variable({
    section: 'Identity',
    kind: integer({ min: 1, max: 10_000 }, 120),
    description: 'token refreshes per IP per minute',
  }),
  LEDGER_LIMITS_PREFIX: variable({
    section: 'Identity',
    kind: text({ fallback: 'ledger-limits' }),
    description: 'Redis key prefix of the rate limits and failure counters',
  }),
  LEDGER_TOTP_ISSUER: variable({
    section: 'Identity',
    kind: text({ fallback: 'Ledger' }),
    description: 'issuer shown by authenticator apps',
  }),
  LEDGER_ADMIN_EMAILS: variable({
    section: 'Identity',
    kind: text({ form: 'unset (no longer supported; use npm run admin:grant)' }),
    description: 'refused: grant roles with `npm run admin:grant -- <email> [--role admin]`',
  }),
  LEDGER_GOOGLE_CLIENT_ID: variable({
    section: 'Identity',
    kind: text(),
    description: 'turns on Google sign-in; then the secret and callback URL are required',
  }),
  LEDGER_GOOGLE_CLIENT_SECRET: variable({
    section: 'Identity',
    kind: text(),
    secret: true,
    description: "Google OAuth client's secret",
  }),
  LEDGER_GOOGLE_CALLBACK_URL: variable({
    section: 'Identity',
    kind: url(['http', 'https'], 'https://api.example.com/auth/google/callback'),
    description: 'where Google sends the user back',
  }),
  LEDGER_GOOGLE_AUTHORIZATION_URL: variable({
    section: 'Identity',
    kind: url(['http', 'https'], 'http://localhost:4010/authorize'),
    description: "override of Google's authorization endpoint (stand-ins and tests)",
  }),
  LEDGER_GOOGLE_TOKEN_URL: variable({
    section: 'Identity',
    kind: url(['http', 'https'], 'http://localhost:4010/token'),
    description: "override of Google's token endpoint",
  }),
  LEDGER_GOOGLE_USERINFO_URL: variable({
    section: 'Identity',
    kind: url(['http', 'https'], 'http://localhost:4010/userinfo'),
    description: "override of Google's user info endpoint",
  }),

  // Audit
  LEDGER_CHECKPOINT_SIGNING_KEY: variable({
    section: 'Audit',
    kind: base64Key(32),
    secret: true,
    derivedDefault: DEV_SECRET,
    description: "Ed25519 seed that signs the log's checkpoints (docs/audit.md)",
  }),
  LEDGER_CHECKPOINT_INTERVAL_MS: variable({
    section: 'Audit',
    kind: integer({ min: 1_000, max: DAY_MS }, 60_000),
    description: 'how often the worker signs a checkpoint when the log has moved',
  }),

  // Card payments
  PAYMENT_GATEWAY: variable({
    section: 'Card payments',
    kind: oneOf(['sandbox', 'stripe'], 'sandbox'),
    description: 'card rail; must be set in production (docs/payments.md)',
  }),
  SANDBOX_WEBHOOK_SECRET: variable({
    section: 'Card payments',
    kind: text(),
    secret: true,
    derivedDefault: 'a fixed development value; required in production',
    description: "secret of the sandbox gateway's webhooks",
  }),
  STRIPE_SECRET_KEY: variable({
    section: 'Card payments',
    kind: text({
      pattern: /^(sk|rk)_/,
      form: 'a Stripe secret or restricted key (sk_… or rk_…)',
      message: 'does not look like a Stripe key (expected ^(sk|rk)_…)',
    }),
    secret: true,
    description: 'required with PAYMENT_GATEWAY=stripe',
  }),
  STRIPE_WEBHOOK_SECRET: variable({
    section: 'Card payments',
    kind: text({
      pattern: /^whsec_/,
      form: 'a Stripe webhook signing secret (whsec_…)',
      message: 'does not look like a Stripe key (expected ^whsec_…)',
    }),
    secret: true,
    description: 'required with PAYMENT_GATEWAY=stripe',
  }),
  STRIPE_PUBLISHABLE_KEY: variable({
    section: 'Card payments',
    kind: text({
      pattern: /^pk_/,
      form: 'a Stripe publishable key (pk_…)',
      message: 'does not look like a Stripe publishable key (expected ^pk_…)',
    }),
    description:
      "with PAYMENT_GATEWAY=stripe, the web app's card form (Stripe Elements); a public value",
  }),
  STRIPE_API_HOST: variable({
    section: 'Card payments',
    kind: text({ form: 'host, host:port or http(s) URL' }),
    derivedDefault: 'api.stripe.com',
    description: 'points the Stripe SDK at a stand-in',
  }),
  STRIPE_TIMEOUT_MS: variable({
    section: 'Card payments',
    kind: integer({ min: 1_000, max: 120_000 }, 20_000),
    description: 'limit on one Stripe call',
  }),
  STRIPE_MAX_NETWORK_RETRIES: variable({
    section: 'Card payments',
    kind: integer({ min: 0, max: 5 }, 1),
    description: "the SDK's retries of a failed network call",
  }),

  // M-Pesa
  MPESA_GATEWAY: variable({
    section: 'M-Pesa',
    kind: oneOf(['off', 'sandbox', 'daraja']),
    derivedDefault: '`sandbox`, `off` in production',
    description: 'mobile-money rail',
  }),
  MPESA_CALLBACK_SECRET: variable({
    section: 'M-Pesa',
    kind: text({
      pattern: /^[A-Za-z0-9_-]{32,}$/,
      form: 'at least 32 characters of [A-Za-z0-9_-]',
    }),
    secret: true,
    derivedDefault: 'generated per process in development; required in production',
    description: "the secret path segment of Daraja's callbacks",
  }),
  MPESA_CALLBACK_BASE_URL: variable({
    section: 'M-Pesa',
    kind: url(['http', 'https'], 'https://api.example.com'),
    description: 'the URL the API is reached at by Daraja; required with daraja',
  }),
  MPESA_API_URL: variable({
    section: 'M-Pesa',
    kind: url(['http', 'https'], 'https://api.safaricom.co.ke'),
    derivedDefault: '`https://api.safaricom.co.ke`',
    description: "Daraja's base URL",
  }),
  MPESA_CONSUMER_KEY: variable({
    section: 'M-Pesa',
    kind: text(),
    secret: true,
    description: 'Daraja app key; required with daraja',
  }),
  MPESA_CONSUMER_SECRET: variable({
    section: 'M-Pesa',
    kind: text(),
    secret: true,
    description: 'Daraja app secret; required with daraja',
  }),
  MPESA_SHORTCODE: variable({
    section: 'M-Pesa',
    kind: text({ pattern: /^\d+$/, form: 'digits' }),
    description: 'paybill or till number; required with daraja',
  }),
  MPESA_PASSKEY: variable({
    section: 'M-Pesa',
    kind: text(),
    secret: true,
    description: 'STK push passkey; required with daraja',
  }),
  MPESA_INITIATOR_NAME: variable({
    section: 'M-Pesa',
    kind: text(),
    description: 'B2C initiator; required with daraja',
  }),
  MPESA_SECURITY_CREDENTIAL: variable({
    section: 'M-Pesa',
    kind: text(),
    secret: true,
    description: "the initiator's encrypted credential; required with daraja",
  }),
  MPESA_TIMEOUT_MS: variable({
    section: 'M-Pesa',
    kind: integer({ min: 1_000, max: 120_000 }, 20_000),
    description: 'limit on one Daraja call',
  }),

  // FX rates
  LEDGER_FX_RATES: variable({
    section: 'FX rates',
    kind: text({ form: 'pairs of exact decimals, e.g. USD/EUR=0.92,EUR/USD=1.08' }),
    description: 'the configured rate table for cross-currency transfers (docs/sagas.md)',
  }),
  LEDGER_FX_PROVIDER_URL: variable({
    section: 'FX rates',
    kind: url(['http', 'https'], 'https://api.frankfurter.app/latest'),
    description: 'an HTTP rate provider in front of the table (docs/payments.md)',
  }),
  LEDGER_FX_REFRESH_MS: variable({
    section: 'FX rates',
    kind: integer({ min: 10_000, max: DAY_MS }, 3_600_000),
    description: "how often the provider's rates are fetched",
  }),
  LEDGER_FX_MAX_AGE_MS: variable({
    section: 'FX rates',
    kind: integer({ min: 60_000, max: 30 * DAY_MS }, 4 * DAY_MS),
    description: "past this age the provider's rates are refused and the table quotes",
  }),

  // Notifications
  SMTP_URL: variable({
    section: 'Notifications',
    kind: url(['smtp', 'smtps'], 'smtp://user:password@mail.example.com:587'),
    secret: true,
    description: 'mail server; without it messages are written to the outbox and logged',
  }),
  MAIL_FROM: variable({
    section: 'Notifications',
    kind: text({ fallback: 'Ledger <no-reply@ledger.local>' }),
    description: 'sender of e-mails, one address',
  }),
  SMS_SENDER: variable({
    section: 'Notifications',
    kind: oneOf(['log'], 'log'),
    description: 'SMS adapter',
  }),

  // Jobs
  JOBS_PREFIX: variable({
    section: 'Jobs',
    kind: text({ fallback: 'ledger' }),
    description: 'key prefix of the job queue',
  }),
  JOBS_COMPLETED_RETENTION_DAYS: variable({
    section: 'Jobs',
    kind: integer({ min: 1, max: 365 }, 30),
    description: 'BullMQ: days completed jobs are kept, so a re-enqueue is recognised',
  }),
  JOBS_LEASE_MS: variable({
    section: 'Jobs',
    kind: integer({ min: 1_000, max: DAY_MS }, 5 * 60_000),
    description: "in-process queue: how long a worker holds a job before it is another's",
  }),
  JOBS_POLL_INTERVAL_MS: variable({
    section: 'Jobs',
    kind: integer({ min: 10, max: 60_000 }, 1_000),
    description: 'in-process queue: how often idle workers look for jobs',
  }),
  REDIS_COMMAND_TIMEOUT_MS: variable({
    section: 'Jobs',
    kind: integer({ min: 100, max: 60_000 }, 5_000),
    description: 'limit on every Redis call',
  }),
  REDIS_CONNECT_TIMEOUT_MS: variable({
    section: 'Jobs',
    kind: integer({ min: 100, max: 120_000 }, 10_000),
    description: 'limit on connecting to Redis',
  }),

  // Sagas
  SAGA_RECONCILE_INTERVAL_MS: variable({
    section: 'Sagas',
    kind: integer({ min: 1_000, max: 3_600_000 }, 60_000),
    description: "how often the worker re-creates jobs the queue lost from the sagas' state",
  }),
  SAGA_TIMER_POLL_MS: variable({
    section: 'Sagas',
    kind: integer({ min: 100, max: 60_000 }, 1_000),
    description: 'how often the worker fires due saga deadlines',
  }),
  SAGA_INLINE_LEASE_MS: variable({
    section: 'Sagas',
    kind: integer({ min: 100, max: 30_000 }, 2_000),
    description:
      "how long the API runs a transfer's steps itself after its request (docs/sagas.md)",
  }),
  SAGA_INLINE_LEASE_MARGIN_MS: variable({
    section: 'Sagas',
    kind: integer({ min: 1_000, max: 60_000 }, 3_000),
    description:
      "worker: its wait past that lease before it takes the steps; above the hosts' clock skew",
  }),
  SAGA_PAYOUT_CHECK_AFTER_MS: variable({
    section: 'Sagas',
    kind: integer({ min: 1_000, max: 7 * 86_400_000 }, 3_600_000),
    description:
      'how long a payout may go unreported before the worker asks the provider what became of it (docs/sagas.md)',
  }),

  // Finance (docs/audit.md)
  FINANCE_RECONCILE_AMOUNT_TOLERANCE_MINOR: variable({
    section: 'Finance',
    kind: minorUnits(0n),
    description: "a provider amount within this many minor units of the ledger's matches",
  }),
  FINANCE_RECONCILE_DATE_TOLERANCE_HOURS: variable({
    section: 'Finance',
    kind: integer({ min: 0, max: 24 * 31 }, 48),
    description: "a provider date within this many hours of the ledger's matches",
  }),
  FINANCE_CLEARING_DEADLINE_HOURS: variable({
    section: 'Finance',
    kind: integer({ min: 1, max: 24 * 90 }, 72),
    description: 'a charge or payout with no final report after this long is a break',
  }),
  FINANCE_APPROVAL_THRESHOLD_MINOR: variable({
    section: 'Finance',
    kind: minorUnits(100_000n),
    description:
      'adjustments and reversals above this many minor units wait for a second finance user',
  }),

  // Command path
  LEDGER_STATE_CACHE_ENTRIES: variable({
    section: 'Command path',
    kind: integer({ min: 1, max: 100_000_000 }, 100_000),
    description: 'most wallet states the command side caches (docs/performance.md)',
  }),
  LEDGER_STATE_CACHE_COMMAND_IDS: variable({
    section: 'Command path',
    kind: integer({ min: 0, max: 1_000_000_000 }, 2_000_000),
    description: 'most command ids the cached wallets remember for duplicate detection',
  }),

  // Live updates (GET /me/events, GET /ledger/events/live)
  LEDGER_LIVE_POLL_MS: variable({
    section: 'Live updates',
    kind: integer({ min: 10, max: 60_000 }, 250),
    description: "how often each API process's one reader looks for read-model changes to stream",
  }),
  LEDGER_LIVE_HEARTBEAT_MS: variable({
    section: 'Live updates',
    kind: integer({ min: 100, max: 300_000 }, 15_000),
    description: 'the longest silence on a live stream before a heartbeat comment',
  }),
  LEDGER_LIVE_MAX_BUFFERED_BYTES: variable({
    section: 'Live updates',
    kind: integer({ min: 1_024, max: 64 * 1024 * 1024 }, 256 * 1024),
    description: 'a client that leaves this much unread is disconnected, never buffered further',
  }),
  LEDGER_LIVE_MAX_CATCH_UP: variable({
    section: 'Live updates',
    kind: integer({ min: 1, max: 100_000 }, 5_000),
    description: 'most changes replayed to a reconnecting client after its Last-Event-ID',
  }),

  // Observability
  LOG_LEVEL: variable({
    section: 'Observability',
    kind: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info'),
    description: 'least severe level logged',
  }),
  LOG_FORMAT: variable({
    section: 'Observability',
    kind: oneOf(['json', 'pretty'], 'json'),
    description: '`pretty` only in development on a terminal (docs/operations.md)',
  }),
  METRICS_ENABLED: variable({
    section: 'Observability',
    kind: oneOf(['true', 'false'], 'true'),
    description: '`false` answers 404 on /metrics',
  }),
  METRICS_TOKEN: variable({
    section: 'Observability',
    kind: text({ pattern: /^.{16,}$/s, form: 'at least 16 characters' }),
    secret: true,
    description: '/metrics then wants `Authorization: Bearer <token>`',
  }),
  HEALTH_MAX_PROJECTION_LAG_SECONDS: variable({
    section: 'Observability',
    kind: integer({ min: 0, max: 86_400 }, 300),
    description: 'readiness fails beyond this projection lag; `0` leaves lag out',
  }),
  WORKER_HTTP_PORT: variable({
    section: 'Observability',
    kind: integer({ min: 0, max: 65_535 }, 3001),
    description: "the worker's health and metrics port",
  }),

  // Tracing (docs/operations.md#tracing)
  TRACING_ENABLED: variable({
    section: 'Tracing',
    kind: oneOf(['true', 'false'], 'false'),
    description:
      '`true` exports OpenTelemetry traces (HTTP, pg, ioredis, appends, saga steps, jobs) over OTLP/HTTP',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable({
    section: 'Tracing',
    kind: url(['http', 'https'], 'http://localhost:4318'),
    derivedDefault: '`http://localhost:4318`',
    description: 'the collector spans are sent to; `/v1/traces` is appended',
  }),
  OTEL_SERVICE_NAME: variable({
    section: 'Tracing',
    kind: text({
      pattern: /^[A-Za-z0-9._-]{1,64}$/,
      form: '1 to 64 letters, digits, `.`, `_`, `-`',
    }),
    derivedDefault: '`ledger-api` or `ledger-worker`, by LEDGER_ROLE',
    description: "the `service.name` of this process's spans",
  }),
} satisfies Record<string, VariableSpec<unknown>>;

export type VariableName = keyof typeof VARIABLES;
export type SettingValue<K extends VariableName> =
  (typeof VARIABLES)[K] extends VariableSpec<infer T> ? T : never;
export type Settings = { readonly [K in VariableName]: SettingValue<K> };

/** The whole environment as one zod object: each variable's schema under its name. */
export const CONFIG_SCHEMA = z.object(
  Object.fromEntries(
    Object.entries(VARIABLES).map(([name, spec]) => [
      name,
      (spec.kind as Kind<unknown>).schema(Boolean((spec as VariableSpec<unknown>).secret)),
    ]),
  ) as Record<VariableName, z.ZodType<unknown, string | undefined>>,
);
