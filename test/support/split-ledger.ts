import { must } from '@ledger/invariant';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import request from 'supertest';
import { loadAppConfig, type AppConfig } from '@ledger/config';
import { SqlEventStore } from '@ledger/event-store/sql';
import type { Clock } from '@ledger/identity';
import { READ_MODELS_PROJECTOR, waitForPosition } from '@ledger/read-models';
import type { Runtime } from '@ledger/runtime';
import { lastCommittedPosition, type DatabaseFactory } from '@ledger/testing';
import { createApp, startServing } from '../../apps/api/src/app.factory';
import { WorkerRootModule } from '../../apps/worker/src/worker-root.module';
import { NOTIFIER, type Notifier } from '@ledger/notifications';
import { captureEmails, type LedgerTestApp } from './ledger-app';

export interface SplitLedger extends LedgerTestApp {
  /** The worker process: projections, saga driver and jobs, with a gateway of its own. */
  readonly worker: INestApplicationContext;
}

/**
 * The production shape in one test process: an API application
 * (`LEDGER_ROLE=api`, no worker module) and a worker application (the
 * worker's own root module), each with its own runtime, event store,
 * payment gateway and job queue, sharing only the database (and Redis when
 * `redisUrl` is given), as `docker-compose.yml` runs them.
 */
export async function startApiAndWorkerApart(
  factory: DatabaseFactory,
  options: { clock?: Clock; redisUrl?: string } = {},
): Promise<SplitLedger> {
  const database = await factory.create();
  const prefix = `t-split-${randomBytes(5).toString('hex')}`;
  const env = {
    LEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'ledger-')),
    LEDGER_JWT_SECRET: randomBytes(48).toString('base64'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    JOBS_POLL_INTERVAL_MS: '50',
    JOBS_PREFIX: prefix,
    ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
  };
  // The role is set on the loaded configuration: the embedded database serves both applications here.
  const runtimeFor = (role: AppConfig['role']): Runtime => ({
    config: { ...loadAppConfig(env), role },
    db: database.db,
    store: new SqlEventStore(database.db),
    close: async () => undefined,
  });
  const apiRuntime = runtimeFor('api');
  const app = await createApp(apiRuntime, { logger: false, env, clock: options.clock });
  await startServing(app);
  const worker = await NestFactory.createApplicationContext(
    WorkerRootModule.forRuntime(runtimeFor('worker'), env),
    { logger: false },
  );
  await worker.init();
  return {
    app,
    worker,
    db: database.db,
    store: apiRuntime.store as SqlEventStore,
    env,
    emails: captureEmails(app.get<Notifier>(NOTIFIER)),
    http: () => request(app.getHttpServer()),
    settle: async () => {
      const last = await lastCommittedPosition(database.db);
      if (!last) return;
      if (!(await waitForPosition(database.db, READ_MODELS_PROJECTOR, last, 10_000)))
        throw new Error('Read models did not catch up');
    },
    eventCount: async () =>
      Number(
        must(
          (await database.db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0],
          'count row',
        ).n,
      ),
    close: async () => {
      await app.close();
      await worker.close();
      if (options.redisUrl) await deleteKeys(options.redisUrl, prefix);
      await database.drop();
    },
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
