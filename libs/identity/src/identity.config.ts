import { ConfigError, isProduction, readSecret, setting, type Env } from '@ledger/config';
import { isCurrency } from '@ledger/ledger';
import { localSecret } from './local-secrets';

/** Where the identity library reads the time for TOTP: `{ now(): epoch ms }`, replaceable in tests. */
export const IDENTITY_CLOCK = Symbol('IDENTITY_CLOCK');
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Nest injection token for the validated `IdentityConfig`. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

export interface GoogleConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly callbackUrl: string;
  /** Overrides exist for staging stand-ins and tests; production leaves them unset. */
  readonly authorizationUrl?: string;
  readonly tokenUrl?: string;
  readonly userInfoUrl?: string;
}

export interface IdentityConfig {
  readonly production: boolean;
  readonly jwtSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** 32 bytes; field encryption and lookup-hash keys are derived from it. */
  readonly dataKey: Buffer;
  readonly defaultCurrency: string;
  /** Per IP per minute, counted separately: sign-ups, and requests for e-mailed codes. */
  readonly authRequestsPerMinute: number;
  /** Refreshes per IP per minute, counted on their own. */
  readonly refreshRequestsPerMinute: number;
  /** Set: failure counters and request windows live in this Redis, under `prefix`; else in SQL. */
  readonly limitsRedis?: { readonly url: string; readonly prefix: string };
  readonly totpIssuer: string;
  readonly google?: GoogleConfig;
}

/** Below this an HMAC key is guessable offline from one captured token. */
const MIN_JWT_SECRET_LENGTH = 32;

/**
 * Reads and validates identity configuration at start-up. Secrets are
 * required in production; elsewhere a missing one is generated once and kept
 * in `LEDGER_DATA_DIR` so development restarts keep sessions and data.
 */
export function readIdentityConfig(env: Env): IdentityConfig {
  refuseAdminEmails(env);
  const dataDir = setting(env, 'LEDGER_DATA_DIR');
  setting(env, 'LEDGER_JWT_SECRET');
  const jwtSecret = readSecret(env, 'LEDGER_JWT_SECRET', () => localSecret(dataDir, 'jwt'));
  if (jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    throw new ConfigError(`LEDGER_JWT_SECRET must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
  }
  return {
    production: isProduction(env),
    jwtSecret,
    jwtIssuer: setting(env, 'LEDGER_JWT_ISSUER'),
    jwtAudience: setting(env, 'LEDGER_JWT_AUDIENCE'),
    accessTokenTtlSeconds: setting(env, 'LEDGER_ACCESS_TOKEN_TTL_SECONDS'),
    refreshTokenTtlSeconds: setting(env, 'LEDGER_REFRESH_TOKEN_TTL_SECONDS'),
    dataKey: readDataKey(env, dataDir),
    defaultCurrency: readDefaultCurrency(env),
    authRequestsPerMinute: setting(env, 'LEDGER_AUTH_RATE_LIMIT_PER_MINUTE'),
    refreshRequestsPerMinute: setting(env, 'LEDGER_REFRESH_RATE_LIMIT_PER_MINUTE'),
    limitsRedis: readLimitsRedis(env),
    totpIssuer: setting(env, 'LEDGER_TOTP_ISSUER'),
    google: readGoogle(env),
  };
}

/** The key personal data is encrypted with; also read alone by processes that only look up contacts. */
export function readDataKey(env: Env, dataDir: string): Buffer {
  setting(env, 'LEDGER_IDENTITY_DATA_KEY');
  const encoded = readSecret(env, 'LEDGER_IDENTITY_DATA_KEY', () =>
    localSecret(dataDir, 'identity-data-key'),
  );
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      'LEDGER_IDENTITY_DATA_KEY must be 32 bytes in base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

/**
 * Granting admin to whoever signs up first with an address let anyone who
 * guessed the address, and registered before its owner, become admin. The
 * setting is refused rather than ignored, so nobody believes it still works.
 */
function refuseAdminEmails(env: Env): void {
  if (setting(env, 'LEDGER_ADMIN_EMAILS') === undefined) return;
  throw new ConfigError(
    'LEDGER_ADMIN_EMAILS is no longer supported: remove it, and grant roles to an existing user with a verified e-mail with `npm run admin:grant -- <email> [--role admin]`',
  );
}

function readLimitsRedis(env: Env): IdentityConfig['limitsRedis'] {
  const url = setting(env, 'REDIS_URL');
  if (!url) return undefined;
  return { url, prefix: setting(env, 'LEDGER_LIMITS_PREFIX') };
}

function readDefaultCurrency(env: Env): string {
  const currency = setting(env, 'LEDGER_DEFAULT_CURRENCY');
  if (!isCurrency(currency))
    throw new ConfigError(
      `LEDGER_DEFAULT_CURRENCY is not a supported currency: "${String(currency)}"`,
    );
  return currency;
}

/** Google sign-in is on when a client id is set; then the secret and callback are required too. */
function readGoogle(env: Env): GoogleConfig | undefined {
  const clientId = setting(env, 'LEDGER_GOOGLE_CLIENT_ID');
  if (!clientId) return undefined;
  return {
    clientId,
    clientSecret: requiredForGoogle(env, 'LEDGER_GOOGLE_CLIENT_SECRET'),
    callbackUrl: requiredForGoogle(env, 'LEDGER_GOOGLE_CALLBACK_URL'),
    authorizationUrl: setting(env, 'LEDGER_GOOGLE_AUTHORIZATION_URL'),
    tokenUrl: setting(env, 'LEDGER_GOOGLE_TOKEN_URL'),
    userInfoUrl: setting(env, 'LEDGER_GOOGLE_USERINFO_URL'),
  };
}

function requiredForGoogle(
  env: Env,
  name: 'LEDGER_GOOGLE_CLIENT_SECRET' | 'LEDGER_GOOGLE_CALLBACK_URL',
): string {
  const value = setting(env, name);
  if (!value) throw new ConfigError(`${name} must be set`);
  return value;
}
