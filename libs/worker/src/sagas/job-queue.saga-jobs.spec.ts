import type { JobQueue, JsonValue } from '@ledger/jobs';
import type { SagaJob } from '@ledger/ledger';
import { decodeSagaJob, JobQueueSagaJobs, MalformedSagaJob } from './job-queue.saga-jobs';

const movementId = 'withdrawal-3f2a0c1e-8b7d-4e2f-9a1b-2c3d4e5f6a7b';

describe('saga job payloads', () => {
  it('are written with the movement id under movementId and read back as the same job', async () => {
    const queued: JsonValue[] = [];
    const queue = {
      enqueue: (_queue: string, _name: string, payload: JsonValue) => {
        queued.push(payload);
        return Promise.resolve();
      },
    } as unknown as JobQueue;
    const job: SagaJob = {
      name: 'withdrawal.timeout',
      jobId: `${movementId}:timeout`,
      movementId,
      runAt: '2026-01-01T00:00:00.000Z',
    };
    await new JobQueueSagaJobs(queue).enqueue(job, { attempts: 1, backoffMs: 1, delayMs: 0 });
    expect(queued).toEqual([job]);
    expect(decodeSagaJob(queued[0])).toEqual(job);
  });

  it('queued before the rename, with the movement id under sagaStream, still decode', () => {
    const old = {
      name: 'withdrawal.payout',
      jobId: `${movementId}:payout`,
      sagaStream: movementId,
    };
    expect(decodeSagaJob(old)).toEqual({
      name: 'withdrawal.payout',
      jobId: `${movementId}:payout`,
      movementId,
    });
  });

  it.each([
    ['not an object', 'withdrawal.payout'],
    ['an unknown job name', { name: 'withdrawal.teleport', jobId: 'j', movementId }],
    ['no job id', { name: 'withdrawal.payout', movementId }],
    ['no movement id', { name: 'withdrawal.payout', jobId: 'j' }],
    ['a movement id that is not a string', { name: 'topup.refund', jobId: 'j', sagaStream: 7 }],
    ['a runAt that is not a string', { name: 'topup.timeout', jobId: 'j', movementId, runAt: 1 }],
  ])('with %s fail loudly', (_, payload) => {
    expect(() => decodeSagaJob(payload)).toThrow(MalformedSagaJob);
  });
});
