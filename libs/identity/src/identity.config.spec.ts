import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIdentityConfig } from './identity.config';

// Touches only a fresh temporary directory: the development secrets live on disk by design.
describe('readIdentityConfig', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'identity-config-'));

  it('generates development secrets once and keeps them, readable only by the owner', () => {
    const dir = dataDir();
    const first = readIdentityConfig({ LEDGER_DATA_DIR: dir });
    const second = readIdentityConfig({ LEDGER_DATA_DIR: dir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.dataKey.equals(first.dataKey)).toBe(true);
    expect(first.dataKey).toHaveLength(32);
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o077).toBe(0);
  });

  it('refuses to start in production without secrets, naming the variable', () => {
    const env = { NODE_ENV: 'production', LEDGER_DATA_DIR: dataDir() };
    expect(() => readIdentityConfig(env)).toThrow(/LEDGER_JWT_SECRET must be set in production/);
    const withJwt = { ...env, LEDGER_JWT_SECRET: 'x'.repeat(40) };
    expect(() => readIdentityConfig(withJwt)).toThrow(
      /LEDGER_IDENTITY_DATA_KEY must be set in production/,
    );
    const complete = { ...withJwt, LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64') };
    expect(readIdentityConfig(complete).production).toBe(true);
  });

  it.each([
    [{ LEDGER_JWT_SECRET: 'short' }, /at least 32 characters/],
    [{ LEDGER_IDENTITY_DATA_KEY: 'c2hvcnQ=' }, /32 bytes/],
    [{ LEDGER_ADMIN_EMAILS: 'root@example.com' }, /no longer supported.*npm run admin:grant/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL must start with redis:\/\//],
    [{ LEDGER_REFRESH_RATE_LIMIT_PER_MINUTE: '0' }, /LEDGER_REFRESH_RATE_LIMIT_PER_MINUTE/],
    [{ LEDGER_DEFAULT_CURRENCY: 'XYZ' }, /LEDGER_DEFAULT_CURRENCY/],
    [{ LEDGER_ACCESS_TOKEN_TTL_SECONDS: '86400' }, /between 60 and 3600/],
    [{ LEDGER_GOOGLE_CLIENT_ID: 'id' }, /LEDGER_GOOGLE_CLIENT_SECRET must be set/],
  ])('refuses %j', (env, message) => {
    expect(() => readIdentityConfig({ LEDGER_DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  it('keeps limits in SQL unless Redis is configured', () => {
    expect(readIdentityConfig({ LEDGER_DATA_DIR: dataDir() }).limitsRedis).toBeUndefined();
    const config = readIdentityConfig({
      LEDGER_DATA_DIR: dataDir(),
      REDIS_URL: 'redis://127.0.0.1:6379',
      LEDGER_LIMITS_PREFIX: 'test-limits',
    });
    expect(config.limitsRedis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'test-limits' });
  });
});
