/**
 * `@ledger/testing/movements`: movement processes over one test database (the
 * API's handlers and the worker's saga driver, jobs and provider feed), the
 * saga job queues they run on (in memory, BullMQ), and the set-up the
 * movement specs share. Behind a subpath: it loads the worker, the queues
 * and the providers' stand-ins, which a decider spec has no use for.
 */
export * from './harness';
export * from './saga-job-legs';
export * from './movement-spec';
