import { SERVICE_QUEUES } from '@ledger/service';
import { NOTIFICATIONS_QUEUE } from './notifications/movement-notifications';
import { SAGA_QUEUE } from './sagas/job-queue.saga-jobs';

describe('SERVICE_QUEUES', () => {
  it('names exactly the queues the worker runs jobs of', () => {
    expect([...SERVICE_QUEUES].sort()).toEqual([NOTIFICATIONS_QUEUE, SAGA_QUEUE].sort());
  });
});
