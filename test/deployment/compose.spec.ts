import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { readPaymentsConfig } from '@ledger/payments';
import { readIdentityConfig } from '@ledger/identity';

/**
 * The production shape as docker-compose.yml describes it, read as data
 * (no container engine here): what is published, what restarts, what is
 * checked, and that the secrets come from the .env `npm run compose:env`
 * writes once.
 */
const ROOT = join(__dirname, '../..');
const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  ports?: string[];
  restart?: string;
  healthcheck?: { test?: string[] | string };
  command?: string[] | string;
  environment?: Record<string, string | number>;
}
const SERVICES = ['eventstore', 'postgres', 'redis', 'api', 'worker'] as const;
// The first test checks that these are exactly the services the file declares.
const compose = load(COMPOSE_TEXT) as {
  services: Record<(typeof SERVICES)[number], Service>;
  'x-ledger-env': Record<string, string | number>;
};
const SECRETS = [
  'POSTGRES_PASSWORD',
  'REDIS_PASSWORD',
  'LEDGER_JWT_SECRET',
  'LEDGER_IDENTITY_DATA_KEY',
  'SANDBOX_WEBHOOK_SECRET',
  'PAYMENT_GATEWAY',
];

function writeEnv(dir: string, ...args: string[]) {
  const file = join(dir, '.env');
  const run = spawnSync('bash', [join(ROOT, 'scripts/compose-env.sh'), ...args], {
    env: { ...process.env, COMPOSE_ENV_FILE: file },
    encoding: 'utf8',
  });
  return { file, status: run.status, stderr: run.stderr };
}

function parseEnv(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => [
      line.slice(0, line.indexOf('=')),
      line.slice(line.indexOf('=') + 1),
    ]);
  return Object.fromEntries(entries);
}

describe('docker-compose.yml', () => {
  it('publishes no store, and the API only on the loopback', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES].sort());
    for (const name of ['eventstore', 'postgres', 'redis', 'worker'] as const)
      expect(compose.services[name].ports).toBeUndefined();
    expect(compose.services.api.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('restarts and health-checks every service', () => {
    for (const name of SERVICES) {
      expect([name, compose.services[name].restart]).toEqual([name, 'unless-stopped']);
      expect(compose.services[name].healthcheck?.test).toEqual(expect.anything());
    }
    expect(String(compose.services.api.healthcheck?.test)).toContain('127.0.0.1:3000/health/ready');
    expect(String(compose.services.worker.healthcheck?.test)).toContain(
      `127.0.0.1:${compose['x-ledger-env'].WORKER_HTTP_PORT}/health/ready`,
    );
  });

  it('puts Redis behind a password the processes connect with', () => {
    expect(String(compose.services.redis.command)).toContain('--requirepass "$$REDIS_PASSWORD"');
    expect(compose['x-ledger-env'].REDIS_URL).toMatch(
      /^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]+\}@redis:6379$/,
    );
  });

  it.each(SECRETS)('takes %s from .env with no default to fall back on', (name) => {
    expect(COMPOSE_TEXT).toContain(`\${${name}:?`);
    expect(COMPOSE_TEXT).not.toMatch(new RegExp(`\\$\\{${name}:?-`));
  });
});

describe('npm run compose:env', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every variable compose requires, owner-readable only, that the service accepts', () => {
    const { file, status } = writeEnv(dir, 'sandbox');
    expect(status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const env = parseEnv(readFileSync(file, 'utf8'));
    const required = [...COMPOSE_TEXT.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    for (const name of new Set(required))
      expect([name, name === undefined ? '' : (env[name] ?? '')]).not.toEqual([name, '']);
    expect(env.PAYMENT_GATEWAY).toBe('sandbox');
    const production = { ...env, NODE_ENV: 'production' };
    expect(readPaymentsConfig(production)).toMatchObject({ gateway: 'sandbox' });
    expect(() => readIdentityConfig(production)).not.toThrow();
  });

  it('refuses to overwrite an existing .env, whose keys protect stored data', () => {
    const { file } = writeEnv(dir, 'sandbox');
    const first = readFileSync(file, 'utf8');
    const again = writeEnv(dir, 'stripe');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('not overwriting');
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('writes nothing until the gateway is named', () => {
    const { file, status } = writeEnv(dir);
    expect(status).toBe(2);
    expect(() => statSync(file)).toThrow();
  });

  it('leaves the Stripe keys for the operator, and the service refuses to start without them', () => {
    const { file } = writeEnv(dir, 'stripe');
    const env: Record<string, string> = {
      ...parseEnv(readFileSync(file, 'utf8')),
      NODE_ENV: 'production',
    };
    expect(env.PAYMENT_GATEWAY).toBe('stripe');
    expect(() => readPaymentsConfig(env)).toThrow(
      'STRIPE_SECRET_KEY must be set when PAYMENT_GATEWAY=stripe',
    );
  });
});
