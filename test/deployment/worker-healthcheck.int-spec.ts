import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SqlEventStore } from '@ledger/event-store/sql';
import { type SagaJobQueue } from '@ledger/ledger';
import { MovementStreams, WalletCommands } from '@ledger/ledger/nest';
import { ProjectionRunner, ReadModelsProjector } from '@ledger/read-models';
import { createPostgresDatabase, postgresUrl, type TestDatabase } from '@ledger/testing';
import { SagaDriver } from '../../libs/worker/src/sagas/saga.driver';

/**
 * scripts/worker-healthcheck.cjs, the worker container's health check, run
 * as compose runs it against a real Postgres (and Redis when REDIS_URL is
 * set): unhealthy until a worker's saga driver and projector hold their
 * leases, healthy while they do, unhealthy again once they stop.
 */
const SCRIPT = join(__dirname, '../../scripts/worker-healthcheck.cjs');
const NO_SAGA_JOBS: SagaJobQueue = { enqueue: async () => undefined, has: async () => true };

function healthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
  });
}

/** Until the check reports `code`; bounded, so a lease never taken fails the test. */
async function untilHealthcheck(env: Record<string, string>, code: number) {
  let last = await healthcheck(env);
  for (let round = 0; round < 50 && last.code !== code; round++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await healthcheck(env);
  }
  return last;
}

/** A throwaway redis-server with a password on a free port, stopped by its PID. */
async function startRedis(password: string) {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--requirepass',
      password,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => server.once('exit', resolve));
  for (let round = 0; round < 50; round++) {
    const client = new Redis({ port, password, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    const up = await client.connect().then(
      () => client.ping(),
      () => undefined,
    );
    client.disconnect();
    if (up === 'PONG') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    stop: async () => {
      server.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The Redis legs run where Redis is (REDIS_URL set); in CI they are required. */
function withRedis(): boolean {
  if (!process.env.REDIS_URL && process.env.CI === 'true')
    throw new Error('CI=true but REDIS_URL is not set: the Redis legs are required in CI');
  return Boolean(process.env.REDIS_URL);
}

const url = postgresUrl();
(url ? describe : describe.skip)('worker health check (needs DATABASE_URL)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createPostgresDatabase(url!);
    env = { DATABASE_URL: database.url! };
  });
  afterAll(async () => {
    await database.drop();
  });

  it('is healthy exactly while a worker holds the saga and projection leases', async () => {
    expect(await healthcheck(env)).toEqual({
      code: 1,
      stderr: 'unhealthy: no worker holds saga-driver:sagas, projector:read_models',
    });

    const store = new SqlEventStore(database.db);
    const streams = new MovementStreams(store);
    const driver = new SagaDriver(
      database.db,
      store,
      streams,
      new WalletCommands(store),
      NO_SAGA_JOBS,
      { idlePollMs: 50 },
    );
    const projections = new ProjectionRunner(database.db, store, new ReadModelsProjector());
    driver.start();
    projections.start();
    try {
      expect(await untilHealthcheck(env, 0)).toEqual({ code: 0, stderr: '' });
    } finally {
      await driver.stop();
      await projections.stop();
    }
    expect(await untilHealthcheck(env, 1)).toMatchObject({ code: 1 });
  });

  it('names an unreachable Postgres without printing its connection string', async () => {
    const unreachable = 'postgres://ledger:s3cret-password@127.0.0.1:1/ledger';
    const result = await healthcheck({ DATABASE_URL: unreachable });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^unhealthy: Postgres: /);
    expect(result.stderr).not.toContain('s3cret-password');
  });

  // Compose's Redis has a password; the shared one here has none, so this leg
  // starts its own redis-server with one (on a free port) and stops it by PID.
  (withRedis() ? it : it.skip)('asks Redis too, with the password in REDIS_URL', async () => {
    const redis = await startRedis('a-redis-password');
    const lease = await database.db.tryLock('saga-driver:sagas');
    expect(lease).toBeDefined();
    // The projector runs for real; the saga driver's lease is taken by hand.
    const projections = new ProjectionRunner(
      database.db,
      new SqlEventStore(database.db),
      new ReadModelsProjector(),
    );
    projections.start();
    try {
      const at = (password: string) => `redis://:${password}@127.0.0.1:${redis.port}`;
      expect(await untilHealthcheck({ ...env, REDIS_URL: at('a-redis-password') }, 0)).toEqual({
        code: 0,
        stderr: '',
      });
      for (const url of [at('not-the-password'), `redis://127.0.0.1:${redis.port}`]) {
        const refused = await healthcheck({ ...env, REDIS_URL: url });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/^unhealthy: Redis: /);
        expect(refused.stderr).not.toContain('password@');
      }
    } finally {
      await projections.stop();
      await lease?.release();
      await redis.stop();
    }
  });
});
