import { Logger } from '@nestjs/common';
import { setting, type Env } from '@ledger/config';
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
  const table = new ConfiguredRateProvider(setting(env, 'LEDGER_FX_RATES') ?? '');
  const url = setting(env, 'LEDGER_FX_PROVIDER_URL');
  if (!url) return table;
  const provider = new HttpRateProvider({
    url,
    refreshMs: setting(env, 'LEDGER_FX_REFRESH_MS'),
    maxAgeMs: setting(env, 'LEDGER_FX_MAX_AGE_MS'),
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
