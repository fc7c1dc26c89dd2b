import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { JOB_QUEUE, type JobQueue } from '@ledger/jobs';
import { databaseFactories } from '@ledger/testing';
import { parseDeadLetterArgs, runDeadLetterCommand } from '../../apps/api/src/cli/dead-letters';
import { NOTIFICATIONS_QUEUE } from '../../libs/worker/src/notifications/movement-notifications';
import { eventually } from '../../libs/jobs/src/job-queue.contract';
import {
  adminUser,
  signUp,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';

/** The BullMQ leg runs when REDIS_URL is set; with CI=true it must. */
function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but REDIS_URL is not set: the BullMQ leg is required in CI');
  return url || undefined;
}

const url = redisUrl();
const adapters: Array<{ adapter: string; env: () => Record<string, string> }> = [
  { adapter: 'in-process', env: () => ({}) },
  ...(url
    ? [
        {
          adapter: 'bullmq',
          env: () => {
            const prefix = `t-dl-${randomBytes(4).toString('hex')}`;
            return {
              REDIS_URL: url,
              JOBS_PREFIX: prefix,
              LEDGER_LIMITS_PREFIX: `${prefix}-limits`,
            };
          },
        },
      ]
    : []),
];

const legs = databaseFactories().flatMap((factory) =>
  adapters.map((a) => ({ name: `${factory.name}, ${a.adapter}`, factory, ...a })),
);

/** Dead letters over HTTP and the CLI, on each database and each job queue adapter. */
describe.each(legs)('dead letters on $name', ({ factory, env }) => {
  let t: LedgerTestApp;
  let admin: TestUser;
  let queue: JobQueue;
  let jobsEnv: Record<string, string>;

  beforeAll(async () => {
    jobsEnv = env();
    t = await startLedgerApp(factory, jobsEnv);
    admin = await adminUser(t);
    queue = t.app.get<JobQueue>(JOB_QUEUE);
  });
  afterAll(async () => {
    await t?.close();
    if (jobsEnv?.REDIS_URL) await deleteKeys(jobsEnv.REDIS_URL, jobsEnv.JOBS_PREFIX!);
  });

  /** A notification job the worker refuses for good (no such job name): a dead letter. */
  async function deadLetter(id: string): Promise<void> {
    await queue.enqueue(NOTIFICATIONS_QUEUE, 'movement.unknown', { movement: id }, { jobId: id });
    await eventually(async () => (await queue.state(NOTIFICATIONS_QUEUE, id)) === 'failed');
  }

  it('lists, shows and retries a dead letter, recording who retried it and why', async () => {
    const id = `test-${randomBytes(4).toString('hex')}:notify`;
    await deadLetter(id);

    const list = await t.http().get('/admin/jobs/dead-letters').set('Authorization', admin.auth);
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual({
      id,
      queue: 'notifications',
      name: 'movement.unknown',
      attemptsMade: 1,
      error: expect.stringMatching(/Unknown notification job/),
      failedAt: expect.any(String),
    });
    expect(list.body).toHaveProperty('nextCursor');

    const show = await t
      .http()
      .get(`/admin/jobs/dead-letters/${id}`)
      .set('Authorization', admin.auth);
    expect(show.status).toBe(200);
    expect(show.body).toMatchObject({ id, payload: { movement: id } });

    const retry = await t
      .http()
      .post(`/admin/jobs/dead-letters/${id}/retry`)
      .set('Authorization', admin.auth)
      .set('X-Request-Id', 'retry-req-1')
      .send({ reason: 'provider fixed the template' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id, queue: 'notifications' });
    // It ran again (and, still unknown, failed again).
    await eventually(async () => (await queue.state(NOTIFICATIONS_QUEUE, id)) === 'failed');

    const audit = await t
      .http()
      .get('/audit/security-events?type=DeadLetterRetried')
      .set('Authorization', admin.auth);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        type: 'DeadLetterRetried',
        userId: admin.userId,
        data: {
          by: admin.userId,
          queue: 'notifications',
          jobId: id,
          jobName: 'movement.unknown',
          reason: 'provider fixed the template',
        },
      }),
    );
  });

  it('counts the queue depth, retries and dead letters in /metrics, on either adapter', async () => {
    await deadLetter(`metrics-${randomBytes(4).toString('hex')}:notify`);
    await queue.enqueue(
      NOTIFICATIONS_QUEUE,
      'movement.later',
      {},
      {
        jobId: `metrics-${randomBytes(4).toString('hex')}:later`,
        delayMs: 600_000,
      },
    );
    const text = (await t.http().get('/metrics').expect(200)).text;
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const failed = (await queue.counts(NOTIFICATIONS_QUEUE)).failed;
    expect(failed).toBeGreaterThan(0);
    expect(value('ledger_jobs{queue="notifications",state="failed"}')).toBe(failed);
    expect(value('ledger_jobs{queue="notifications",state="delayed"}')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_jobs{queue="sagas",state="waiting"}')).toEqual(expect.any(Number));
    expect(value('ledger_jobs_retrying{queue="notifications"}')).toBe(0);
    expect(
      value('ledger_job_attempts_failed_total{queue="notifications",outcome="dead_letter"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('pages with nextCursor and refuses a cursor it did not give', async () => {
    for (const n of [1, 2]) await deadLetter(`page-${randomBytes(4).toString('hex')}-${n}:notify`);
    const first = await t
      .http()
      .get('/admin/jobs/dead-letters?limit=1')
      .set('Authorization', admin.auth);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t
      .http()
      .get(`/admin/jobs/dead-letters?limit=1&cursor=${first.body.nextCursor}`)
      .set('Authorization', admin.auth);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const bad = await t
      .http()
      .get('/admin/jobs/dead-letters?cursor=bm9wZQ')
      .set('Authorization', admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
  });

  it('answers 404 for a job that is not a dead letter, writes nothing, and is for admins only', async () => {
    const missing = await t
      .http()
      .post('/admin/jobs/dead-letters/never-enqueued/retry')
      .set('Authorization', admin.auth)
      .send({ reason: 'just checking' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('dead_letter_not_found');
    const noReason = await t
      .http()
      .post('/admin/jobs/dead-letters/never-enqueued/retry')
      .set('Authorization', admin.auth)
      .send({});
    expect(noReason.status).toBe(400);
    const customer = await signUp(t);
    const forbidden = await t
      .http()
      .get('/admin/jobs/dead-letters')
      .set('Authorization', customer.auth);
    expect(forbidden.status).toBe(403);
  });

  it('npm run jobs:dead-letters lists, shows and retries against the same queue', async () => {
    const id = `cli-${randomBytes(4).toString('hex')}:notify`;
    await deadLetter(id);
    const lines: string[] = [];
    const run = (args: string[]) => {
      const parsed = parseDeadLetterArgs(args);
      if ('problem' in parsed) throw new Error(parsed.problem);
      return runDeadLetterCommand(t, parsed, t.env, (line) => lines.push(line));
    };
    expect(await run(['list'])).toBe(0);
    expect(JSON.parse(lines.pop()!).items.map((i: { id: string }) => i.id)).toContain(id);
    expect(await run(['show', id])).toBe(0);
    expect(JSON.parse(lines.pop()!)).toMatchObject({ id, payload: { movement: id } });
    expect(await run(['retry', id, '--reason', 'replayed after the fix'])).toBe(0);
    expect(await run(['show', 'never-enqueued'])).toBe(1);
    expect(parseDeadLetterArgs(['retry', id])).toHaveProperty('problem');
    const audit = await t
      .http()
      .get('/audit/security-events?type=DeadLetterRetried')
      .set('Authorization', admin.auth);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ by: 'operator CLI', jobId: id }),
      }),
    );
  });
});

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
