import { Logger } from '@nestjs/common';
import { ConfigError, readInt, readOptional, type Env } from '@ledger/config';
import { ConfiguredRateProvider, HttpRateProvider, type RateProvider } from '@ledger/ledger';

const logger = new Logger('fx');

/**
 * The configured table (LEDGER_FX_RATES) alone, or an HTTP provider
 * (LEDGER_FX_PROVIDER_URL) in front of it: refreshed every
 * LEDGER_FX_REFRESH_MS (default an hour), refused past LEDGER_FX_MAX_AGE_MS
 * (default four days, a long weekend of ECB's daily rates), and then the
 * table quotes. A malformed value stops start-up.
 */
export function createRateProvider(env: Env): RateProvider {
  const table = new ConfiguredRateProvider(env.LEDGER_FX_RATES ?? '');
  const url = readOptional(env, 'LEDGER_FX_PROVIDER_URL');
  if (!url) return table;
  if (!/^https?:\/\/\S+$/.test(url))
    throw new ConfigError('LEDGER_FX_PROVIDER_URL must be an http(s) URL');
  const provider = new HttpRateProvider({
    url,
    refreshMs: readInt(env, 'LEDGER_FX_REFRESH_MS', 3_600_000, { min: 10_000, max: 86_400_000 }),
    maxAgeMs: readInt(env, 'LEDGER_FX_MAX_AGE_MS', 4 * 86_400_000, {
      min: 60_000,
      max: 30 * 86_400_000,
    }),
    fallback: table,
    // The provider's message only: a URL may carry an API key.
    onError: (error) =>
      logger.warn(
        `FX rates not refreshed: ${error instanceof Error ? error.message : 'unknown error'}`,
      ),
  });
  provider.start();
  return provider;
}
