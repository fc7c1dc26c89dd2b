import { Redis } from 'ioredis';
import { BullmqJobQueue, fromBullId, toBullId } from './bullmq.job-queue';
import { describeJobQueueContract } from './job-queue.contract';

/** Redis legs run when REDIS_URL is set; in CI a missing Redis fails the run instead of skipping it. */
function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but REDIS_URL is not set: the BullMQ legs are required in CI');
  }
  return url || undefined;
}

describe('BullMQ job ids', () => {
  it.each(['topup-1:charge', '42', 'a:b:c', 'plain'])('round-trips %s', (id) => {
    expect(toBullId(id)).not.toContain(':');
    expect(fromBullId(toBullId(id))).toBe(id);
  });
});

const url = redisUrl();
(url ? describe : describe.skip)('BullmqJobQueue (needs REDIS_URL)', () => {
  describeJobQueueContract('bullmq', () => ({
    create: async (prefix) => new BullmqJobQueue({ url: url!, prefix }),
    cleanup: (prefix) => deleteKeys(url!, prefix),
  }));
});

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
