import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ledger/config';
import { checkServiceConfiguration } from './configuration';

describe('the start-up configuration check', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-config-'));

  it('reports bad values and broken rules of several sections in one error', () => {
    const env = {
      LEDGER_DATA_DIR: dataDir,
      JOBS_LEASE_MS: '10',
      LOG_FORMAT: 'xml',
      LEDGER_ACCESS_TOKEN_TTL_SECONDS: '86400',
      PAYMENT_GATEWAY: 'stripe',
      LEDGER_GOOGLE_CLIENT_ID: 'client-id',
    };
    expect(() => checkServiceConfiguration(env)).toThrow(ConfigError);
    let message = '';
    try {
      checkServiceConfiguration(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  - LEDGER_ACCESS_TOKEN_TTL_SECONDS must be between 60 and 3600, got 86400',
      '  - JOBS_LEASE_MS must be between 1000 and 86400000, got 10',
      '  - LOG_FORMAT must be one of json, pretty, got "xml"',
      '  - STRIPE_SECRET_KEY must be set when PAYMENT_GATEWAY=stripe',
    ]);
  });

  it('passes an empty environment: everything has a default in development', () => {
    expect(checkServiceConfiguration({ LEDGER_DATA_DIR: dataDir }).PORT).toBe(3000);
  });
});
