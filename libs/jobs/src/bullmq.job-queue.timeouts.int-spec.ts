import { OwnRedisServer } from '../../../test/support/own-redis-server';
import { BullmqJobQueue } from './bullmq.job-queue';
import { eventually } from './job-queue.contract';
import { JobQueueUnavailableError } from './job.errors';

/** Redis legs run when REDIS_URL is set; in CI a missing Redis fails the run instead of skipping it. */
function redisAvailable(): boolean {
  if (!process.env.REDIS_URL && process.env.CI === 'true') {
    throw new Error('CI=true but REDIS_URL is not set: the BullMQ legs are required in CI');
  }
  return !!process.env.REDIS_URL;
}

/** Ports of this file's own servers; nothing listens on the second one. */
const HUNG_PORT = 6392;
const ABSENT_PORT = 6393;
/** Short bounds so that each failure below comes quickly. */
const FAST = { commandTimeoutMs: 200, connectTimeoutMs: 300 } as const;

(redisAvailable() ? describe : describe.skip)('BullmqJobQueue when Redis does not answer', () => {
  let server: OwnRedisServer;
  beforeAll(async () => {
    server = await OwnRedisServer.start(HUNG_PORT);
  });
  afterAll(() => server.stop());

  it('fails an enqueue and a lookup on a hung Redis, and works again once it answers', async () => {
    const queue = new BullmqJobQueue({ url: server.url, prefix: 't-hung', ...FAST });
    try {
      // The first call also connects and loads BullMQ's scripts, which a loaded
      // machine may take longer than the operation timeout to do: the job id
      // makes a repeated enqueue one job.
      await eventually(() =>
        queue.enqueue('work', 'payout', {}, { jobId: 'withdrawal-1:payout' }).then(
          () => true,
          () => false,
        ),
      );
      server.pause();
      await expect(
        queue.enqueue('work', 'payout', {}, { jobId: 'withdrawal-2:payout' }),
      ).rejects.toThrow(JobQueueUnavailableError);
      await expect(queue.state('work', 'withdrawal-1:payout')).rejects.toThrow(
        JobQueueUnavailableError,
      );
      server.resume();
      await eventually(async () => {
        const state = await queue.state('work', 'withdrawal-1:payout').catch(() => undefined);
        return state === 'waiting';
      });
    } finally {
      server.resume();
      await queue.close();
    }
  });

  it('fails an enqueue when nothing listens, instead of waiting for a connection', async () => {
    const queue = new BullmqJobQueue({
      url: `redis://127.0.0.1:${ABSENT_PORT}`,
      prefix: 't-absent',
      ...FAST,
    });
    try {
      await expect(
        queue.enqueue('work', 'payout', {}, { jobId: 'withdrawal-3:payout' }),
      ).rejects.toThrow(JobQueueUnavailableError);
    } finally {
      await queue.close();
    }
  });
});
