import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { BullmqJobQueue } from './bullmq.job-queue';
import { InProcessJobQueue } from './in-process.job-queue';
import { readJobsConfig } from './jobs.config';
import { JobsModule } from './jobs.module';
import { JOB_QUEUE } from './tokens';

describe('readJobsConfig', () => {
  it('chooses BullMQ when REDIS_URL is set, the in-process queue otherwise', () => {
    expect(readJobsConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      adapter: 'bullmq',
      prefix: 'ledger',
    });
    expect(readJobsConfig({ JOBS_PREFIX: 'svc' })).toMatchObject({
      adapter: 'in-process',
      prefix: 'svc',
      leaseMs: 300_000,
    });
  });

  it('bounds every Redis call: command and connect timeouts from the environment', () => {
    expect(readJobsConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      commandTimeoutMs: 5_000,
      connectTimeoutMs: 10_000,
    });
    expect(
      readJobsConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_COMMAND_TIMEOUT_MS: '250',
        REDIS_CONNECT_TIMEOUT_MS: '1500',
      }),
    ).toMatchObject({ commandTimeoutMs: 250, connectTimeoutMs: 1_500 });
    expect(() =>
      readJobsConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_COMMAND_TIMEOUT_MS: '0' }),
    ).toThrow(/REDIS_COMMAND_TIMEOUT_MS must be between 100 and 60000/);
  });

  it('refuses a REDIS_URL that is not a Redis URL', () => {
    expect(() => readJobsConfig({ REDIS_URL: 'localhost:6379' })).toThrow(
      /REDIS_URL must start with redis:\/\//,
    );
  });
});

describe('JobsModule', () => {
  // Nothing here touches the database; the queue only holds the reference.
  const db = {} as SqlDatabase;
  @Module({ providers: [{ provide: SQL_DATABASE, useValue: db }], exports: [SQL_DATABASE] })
  class FakeDatabaseModule {}

  it('provides the in-process queue over SQL_DATABASE without REDIS_URL', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [JobsModule.forRoot({ env: {}, imports: [FakeDatabaseModule] })],
    }).compile();
    expect(moduleRef.get(JOB_QUEUE)).toBeInstanceOf(InProcessJobQueue);
    await moduleRef.close();
  });

  it('provides BullMQ with REDIS_URL', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [JobsModule.forRoot({ env: { REDIS_URL: 'redis://127.0.0.1:6379' } })],
    }).compile();
    expect(moduleRef.get(JOB_QUEUE)).toBeInstanceOf(BullmqJobQueue);
    await moduleRef.close();
  });

  it('explains what is missing when neither Redis nor a database is there', async () => {
    await expect(
      Test.createTestingModule({ imports: [JobsModule.forRoot({ env: {} })] }).compile(),
    ).rejects.toThrow(/needs SQL_DATABASE/);
  });
});
