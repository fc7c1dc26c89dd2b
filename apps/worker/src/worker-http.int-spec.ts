import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadAppConfig } from '@ledger/config';
import { SqlEventStore } from '@ledger/event-store/sql';
import type { Runtime } from '@ledger/runtime';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { createWorkerApp } from './worker-root.module';

/**
 * The worker's own HTTP port: liveness, readiness and metrics, as the
 * worker container's health check and Prometheus reach it.
 */
describe.each(databaseFactories())('worker health and metrics on $name', (factory) => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    database = await factory.create();
    env = {
      LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-')),
      LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
      LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
      JOBS_PREFIX: `t-worker-http-${randomBytes(5).toString('hex')}`,
    };
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(() => database?.drop());

  /**
   * A worker on the test database. `redisUrl` is what readiness asks; the job
   * queue keeps to the database (no REDIS_URL in its environment), so a
   * Redis that is not there stops nothing but the readiness answer.
   */
  async function worker(extraEnv: Record<string, string> = {}, redisUrl?: string) {
    const workerEnv = { ...env, ...extraEnv };
    const runtime: Runtime = {
      config: { ...loadAppConfig(workerEnv), role: 'worker', redisUrl },
      db: database.db,
      store: new SqlEventStore(database.db),
      close: async () => undefined,
    };
    const app = await createWorkerApp(runtime, { env: workerEnv, silent: true });
    apps.push(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return () => request(app.getHttpServer());
  }

  it('answers live, ready and /metrics', async () => {
    const http = await worker();
    expect((await http().get('/health/live').expect(200)).body.status).toBe('ok');
    const ready = await http().get('/health/ready').expect(200);
    expect(Object.keys(ready.body.info).sort()).toEqual([
      'database',
      'eventStore',
      'projectionLag',
    ]);
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^ledger_projection_lag_seconds\{projection="read_models"\} \d/m);
    expect(metrics.text).toMatch(/^ledger_sagas_parked_oldest_seconds \d/m);
    expect(metrics.text).toContain('# TYPE ledger_http_request_duration_seconds histogram');
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });

  it('is live but not ready while Redis is unreachable', async () => {
    const http = await worker({}, 'redis://127.0.0.1:1');
    await http().get('/health/live').expect(200);
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    expect(ready.body.info).toMatchObject({ database: { status: 'up' } });
    expect(JSON.stringify(ready.body)).not.toContain('127.0.0.1');
    const legacy = await http().get('/health').expect(503);
    expect(legacy.body).toMatchObject({ status: 'down', checks: { redis: { status: 'down' } } });
  });

  it('keeps /metrics behind METRICS_TOKEN, and off with METRICS_ENABLED=false', async () => {
    const token = 'a-metrics-token-of-some-length';
    const guarded = await worker({ METRICS_TOKEN: token });
    expect((await guarded().get('/metrics').expect(401)).body.error).toBe('unauthorized');
    await guarded().get('/metrics').set('Authorization', 'Bearer not-the-token').expect(401);
    await guarded().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    await guarded().get('/health/live').expect(200);

    const off = await worker({ METRICS_ENABLED: 'false' });
    expect((await off().get('/metrics').expect(404)).body.error).toBe('not_found');
  });
});
