/**
 * Every queue the worker runs jobs of: where dead letters are looked for and
 * depth is measured. Here rather than in @ledger/worker so that the
 * dead-letter command and the API's routes do not load the worker's loops to
 * learn two names; `libs/worker/src/job-queues.spec.ts` checks they are the
 * worker's queues.
 */
export const SERVICE_QUEUES: readonly string[] = ['sagas', 'notifications'];
