import { randomBytes } from 'node:crypto';
import { InvalidJobError, PermanentJobError } from './job.errors';
import type { Job, JobQueue } from './job-queue.port';

/**
 * The semantics every `JobQueue` adapter must have, run against each one
 * (`*.job-queue.int-spec.ts`). Each test gets its own key prefix, so runs in
 * parallel never see each other's jobs, and the fixture deletes what it made.
 */
export interface JobQueueFixture {
  create(prefix: string): Promise<JobQueue>;
  cleanup(prefix: string): Promise<void>;
}

/** How long a test waits for something that should happen; a bound, not a measurement. */
const WAIT_LIMIT_MS = 20_000;
const POLL_MS = 10;

export function describeJobQueueContract(name: string, fixture: () => JobQueueFixture): void {
  describe(`JobQueue contract: ${name}`, () => {
    const open: Array<{ queue: JobQueue; prefix: string }> = [];

    async function newQueue(): Promise<JobQueue> {
      const prefix = `t-${randomBytes(5).toString('hex')}`;
      const queue = await fixture().create(prefix);
      open.push({ queue, prefix });
      return queue;
    }

    afterEach(async () => {
      for (const { queue, prefix } of open.splice(0)) {
        await queue.close();
        await fixture().cleanup(prefix);
      }
    });

    it('runs a job id once, however often and whenever it is enqueued', async () => {
      const queue = await newQueue();
      const runs: string[] = [];
      await queue.process('work', async (job) => void runs.push(job.id));
      const once = { jobId: 'topup-1:charge' };
      await queue.enqueue('work', 'charge', { topUp: '1' }, once);
      await queue.enqueue('work', 'charge', { topUp: '1' }, once);
      await eventually(() => runs.includes('topup-1:charge'));
      await queue.enqueue('work', 'charge', { topUp: '1' }, once);
      // Jobs run in the order they were enqueued, so once the sentinel ran, any duplicate would have too.
      await queue.enqueue('work', 'sentinel', {}, { jobId: 'sentinel' });
      await eventually(() => runs.includes('sentinel'));
      expect(runs).toEqual(['topup-1:charge', 'sentinel']);
    });

    it('retries with backoff until the job succeeds', async () => {
      const queue = await newQueue();
      const attempts: number[] = [];
      let succeeded = false;
      await queue.process('work', async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('provider unavailable');
        succeeded = true;
      });
      await queue.enqueue(
        'work',
        'payout',
        { n: 1 },
        { jobId: 'w-1:payout', attempts: 4, backoff: { type: 'exponential', baseMs: 5 } },
      );
      await eventually(() => succeeded);
      expect(attempts).toEqual([1, 2, 3]);
      expect(await queue.failedJobs('work')).toEqual([]);
    });

    it('puts a job that used up its attempts in the dead letters, and retries it on request', async () => {
      const queue = await newQueue();
      let healthy = false;
      const succeeded: Array<Job> = [];
      await queue.process('work', async (job) => {
        if (!healthy) throw new Error('provider down');
        succeeded.push(job);
      });
      await queue.enqueue(
        'work',
        'refund',
        { amountMinor: '250' },
        { jobId: 'topup-2:refund', attempts: 2, backoff: { type: 'exponential', baseMs: 5 } },
      );
      const [dead] = await eventually(async () => {
        const failed = await queue.failedJobs('work');
        return failed.length > 0 ? failed : undefined;
      });
      expect(dead).toMatchObject({
        id: 'topup-2:refund',
        queue: 'work',
        name: 'refund',
        payload: { amountMinor: '250' },
        attemptsMade: 2,
      });
      expect(dead?.error).toMatch(/provider down/);
      expect(dead?.failedAt).toBeInstanceOf(Date);
      expect(await queue.failedJob('work', 'topup-2:refund')).toEqual(dead);
      expect(await queue.failedJob('work', 'never-enqueued')).toBeUndefined();
      expect(await queue.counts('work')).toMatchObject({ failed: 1, active: 0, retrying: 0 });

      healthy = true;
      expect(await queue.retryFailed('work', 'topup-2:refund')).toBe(true);
      await eventually(() => succeeded.length > 0);
      expect(succeeded[0]).toMatchObject({ id: 'topup-2:refund', attempt: 1, attempts: 2 });
      expect(await queue.failedJobs('work')).toEqual([]);
      expect(await queue.failedJob('work', 'topup-2:refund')).toBeUndefined();
      expect(await queue.retryFailed('work', 'topup-2:refund')).toBe(false);
      expect(await queue.retryFailed('work', 'never-enqueued')).toBe(false);
    });

    it('pages the dead letters newest first', async () => {
      const queue = await newQueue();
      await queue.process('work', async () => {
        throw new PermanentJobError('declined');
      });
      for (const n of [1, 2, 3]) {
        await queue.enqueue('work', 'charge', { n }, { jobId: `topup-p${n}:charge` });
        await eventually(
          async () => (await queue.state('work', `topup-p${n}:charge`)) === 'failed',
        );
      }
      const ids = async (options: { limit: number; offset?: number }) =>
        (await queue.failedJobs('work', options)).map((job) => job.id);
      expect(await ids({ limit: 2 })).toEqual(['topup-p3:charge', 'topup-p2:charge']);
      expect(await ids({ limit: 2, offset: 2 })).toEqual(['topup-p1:charge']);
      await expect(queue.failedJobs('work', { offset: -1 })).rejects.toThrow(InvalidJobError);
    });

    it('counts waiting, delayed and retrying jobs', async () => {
      const queue = await newQueue();
      await queue.enqueue('work', 'now', {}, { jobId: 'c-1:now' });
      await queue.enqueue('work', 'later', {}, { jobId: 'c-2:later', delayMs: 60_000 });
      expect(await queue.counts('work')).toEqual({
        waiting: 1,
        delayed: 1,
        active: 0,
        failed: 0,
        retrying: 0,
      });
      let failedOnce = false;
      await queue.process('work', async (job) => {
        if (job.name === 'flaky') {
          failedOnce = true;
          throw new Error('provider down');
        }
      });
      await queue.enqueue(
        'work',
        'flaky',
        {},
        { jobId: 'c-3:flaky', attempts: 3, backoff: { type: 'exponential', baseMs: 600_000 } },
      );
      await eventually(async () => failedOnce && (await queue.counts('work')).retrying === 1);
      expect(await queue.counts('work')).toMatchObject({ retrying: 1, failed: 0 });
    });

    it('runs a delayed job after the jobs that were due before it', async () => {
      const queue = await newQueue();
      const order: string[] = [];
      await queue.process('timeouts', async (job) => void order.push(job.name));
      await queue.enqueue(
        'timeouts',
        'expire-hold',
        {},
        { jobId: 'transfer-1:timeout', delayMs: 300 },
      );
      await queue.enqueue('timeouts', 'now', {}, { jobId: 'transfer-2:now' });
      await eventually(() => order.length === 2);
      expect(order).toEqual(['now', 'expire-hold']);
    });

    it('does not retry a permanent error, nor an error that says it is not retryable', async () => {
      const queue = await newQueue();
      const calls: string[] = [];
      await queue.process('work', async (job) => {
        calls.push(job.id);
        if (job.name === 'declined') throw new PermanentJobError('card declined');
        throw Object.assign(new Error('invalid request'), { retryable: false });
      });
      const options = { attempts: 5, backoff: { type: 'exponential', baseMs: 5 } } as const;
      await queue.enqueue('work', 'declined', {}, { ...options, jobId: 'topup-3:charge' });
      await queue.enqueue('work', 'invalid', {}, { ...options, jobId: 'topup-4:charge' });
      const failed = await eventually(async () => {
        const list = await queue.failedJobs('work');
        return list.length === 2 ? list : undefined;
      });
      expect(failed.map((job) => [job.id, job.attemptsMade]).sort()).toEqual([
        ['topup-3:charge', 1],
        ['topup-4:charge', 1],
      ]);
      expect(calls.sort()).toEqual(['topup-3:charge', 'topup-4:charge']);
    });

    it('tells where a job stands, and undefined for a job it does not hold', async () => {
      const queue = await newQueue();
      expect(await queue.state('work', 'never-enqueued')).toBeUndefined();
      await queue.enqueue('work', 'expire', {}, { jobId: 'topup-5:timeout', delayMs: 60_000 });
      expect(await queue.state('work', 'topup-5:timeout')).toBe('delayed');
      await queue.enqueue('work', 'charge', {}, { jobId: 'topup-5:charge' });
      expect(await queue.state('work', 'topup-5:charge')).toBe('waiting');
      await queue.enqueue(
        'work',
        'refund',
        {},
        { jobId: 'topup-5:refund', attempts: 1, backoff: { type: 'exponential', baseMs: 5 } },
      );
      await queue.process('work', async (job) => {
        if (job.name === 'refund') throw new Error('provider down');
      });
      await eventually(async () => (await queue.state('work', 'topup-5:charge')) === 'completed');
      await eventually(async () => (await queue.state('work', 'topup-5:refund')) === 'failed');
      expect(await queue.state('work', 'topup-5:timeout')).toBe('delayed');
    });

    it('keeps queues with different prefixes apart', async () => {
      const [a, b] = [await newQueue(), await newQueue()];
      const seen: { a: string[]; b: string[] } = { a: [], b: [] };
      await a.process(
        'work',
        async (job) => void seen.a.push(String((job.payload as { from: string }).from)),
      );
      await b.process(
        'work',
        async (job) => void seen.b.push(String((job.payload as { from: string }).from)),
      );
      await a.enqueue('work', 'charge', { from: 'a' }, { jobId: 'same-id' });
      await b.enqueue('work', 'charge', { from: 'b' }, { jobId: 'same-id' });
      await eventually(() => seen.a.length === 1 && seen.b.length === 1);
      expect(seen).toEqual({ a: ['a'], b: ['b'] });
    });

    it('refuses bad ids, names and options before touching the backend', async () => {
      const queue = await newQueue();
      await expect(queue.enqueue('work', 'x', {}, { jobId: 'has space' })).rejects.toThrow(
        InvalidJobError,
      );
      await expect(queue.enqueue('Bad Queue', 'x', {}, { jobId: 'a' })).rejects.toThrow(
        InvalidJobError,
      );
      await expect(queue.enqueue('work', 'x', {}, { jobId: 'a', attempts: 0 })).rejects.toThrow(
        /attempts/,
      );
      await expect(
        queue.enqueue('work', 'x', { blob: 'x'.repeat(70_000) }, { jobId: 'a' }),
      ).rejects.toThrow(/exceeds/);
    });
  });
}

/** Polls until `check` returns something truthy; fails the test after `WAIT_LIMIT_MS`. */
export async function eventually<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${WAIT_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
