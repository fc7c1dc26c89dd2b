/**
 * The worker's loops (projections, saga drivers with their jobs, movement
 * notifications, maintenance and audit checkpoints) as one module, and the
 * queues they run jobs on. The worker process runs them on its own; with
 * `LEDGER_ROLE=all` the API process runs them too.
 */
export * from './worker.module';
export { JobQueueSagaJobs, SAGA_QUEUE } from './sagas/job-queue.saga-jobs';
