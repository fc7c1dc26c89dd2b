import { NOTIFICATIONS_QUEUE } from './notifications/movement-notifications';
import { SAGA_QUEUE } from './sagas/job-queue.saga-jobs';

/** Every queue the worker runs jobs of: where dead letters are looked for and depth is measured. */
export const SERVICE_QUEUES: readonly string[] = [SAGA_QUEUE, NOTIFICATIONS_QUEUE];
