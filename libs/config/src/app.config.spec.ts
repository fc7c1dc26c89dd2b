import { loadAppConfig } from './app.config';
import { ConfigError } from './env';

describe('loadAppConfig: deadlines and Idempotency-Keys', () => {
  it('defaults: 10 s request deadline, a lease 5 s longer, 30 s statements, 30 days of keys', () => {
    expect(loadAppConfig({})).toMatchObject({
      httpRequestTimeoutMs: 10_000,
      idempotencyLeaseMs: 15_000,
      databaseStatementTimeoutMs: 30_000,
      idempotencyRetentionDays: 30,
    });
  });

  it('derives the default lease from a configured deadline', () => {
    expect(loadAppConfig({ HTTP_REQUEST_TIMEOUT_MS: '20000' }).idempotencyLeaseMs).toBe(25_000);
  });

  it('refuses a lease that does not outlast the request deadline', () => {
    expect(() =>
      loadAppConfig({ HTTP_REQUEST_TIMEOUT_MS: '20000', IDEMPOTENCY_LEASE_MS: '20000' }),
    ).toThrow(
      new ConfigError(
        'IDEMPOTENCY_LEASE_MS must be longer than HTTP_REQUEST_TIMEOUT_MS (20000), got 20000',
      ),
    );
  });

  it.each([
    ['HTTP_REQUEST_TIMEOUT_MS', '0'],
    ['HTTP_REQUEST_TIMEOUT_MS', '10s'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    ['IDEMPOTENCY_RETENTION_DAYS', '0'],
    ['IDEMPOTENCY_LEASE_MS', '999'],
    ['DATABASE_PREPARED_STATEMENTS', 'no'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadAppConfig({ [name]: value })).toThrow(new RegExp(`^${name} must`));
  });

  it('accepts 0 for the statement timeout: the server default', () => {
    expect(loadAppConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).databaseStatementTimeoutMs).toBe(
      0,
    );
  });

  it('names prepared statements unless DATABASE_PREPARED_STATEMENTS=false', () => {
    expect(loadAppConfig({}).databasePreparedStatements).toBe(true);
    expect(loadAppConfig({ DATABASE_PREPARED_STATEMENTS: 'true' }).databasePreparedStatements).toBe(
      true,
    );
    expect(
      loadAppConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements,
    ).toBe(false);
  });
});
