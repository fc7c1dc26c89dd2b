import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { InProcessJobQueue } from './in-process.job-queue';
import { describeJobQueueContract, eventually } from './job-queue.contract';

describe.each(databaseFactories())('InProcessJobQueue on $name', (factory) => {
  // One database per file: PGlite takes seconds to start. Tests are kept apart by prefix.
  let database: TestDatabase;
  beforeAll(async () => {
    database = await factory.create();
  });
  afterAll(() => database.drop());

  describeJobQueueContract(`in-process (${factory.name})`, () => ({
    create: async (prefix) => new InProcessJobQueue(database.db, { prefix, pollIntervalMs: 50 }),
    cleanup: async (prefix) => {
      await database.db.query(`DELETE FROM jobs WHERE queue LIKE $1`, [`${prefix}:%`]);
    },
  }));

  it('keeps a delayed job across a restart and runs it in the next process', async () => {
    const prefix = `restart-${Date.now()}`;
    const first = new InProcessJobQueue(database.db, { prefix, pollIntervalMs: 50 });
    await first.enqueue(
      'timeouts',
      'expire-hold',
      { transfer: 't-1' },
      { jobId: 'transfer-t-1:timeout', delayMs: 200 },
    );
    await first.close();

    const second = new InProcessJobQueue(database.db, { prefix, pollIntervalMs: 50 });
    const ran: string[] = [];
    await second.process('timeouts', async (job) => void ran.push(job.id));
    await eventually(() => ran.length > 0);
    expect(ran).toEqual(['transfer-t-1:timeout']);
    await second.close();
  });

  it('runs again a job whose worker died mid-run, once its lease ran out', async () => {
    const prefix = `lease-${Date.now()}`;
    const dying = new InProcessJobQueue(database.db, {
      prefix,
      leaseMs: 100,
      pollIntervalMs: 50,
      shutdownGraceMs: 1,
    });
    let started!: () => void;
    const startedOnce = new Promise<void>((resolve) => (started = resolve));
    await dying.process('work', () => {
      started();
      return new Promise<void>(() => undefined); // never finishes: the process "dies" here
    });
    await dying.enqueue('work', 'payout', {}, { jobId: 'w-9:payout', attempts: 3 });
    await startedOnce;
    await dying.close();

    const survivor = new InProcessJobQueue(database.db, {
      prefix,
      leaseMs: 100,
      pollIntervalMs: 50,
    });
    const attempts: number[] = [];
    await survivor.process('work', async (job) => void attempts.push(job.attempt));
    await eventually(() => attempts.length > 0);
    expect(attempts).toEqual([2]);
    await survivor.close();
  });
});
