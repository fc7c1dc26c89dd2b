/** Nest injection token for the `JobQueue` port. */
export const JOB_QUEUE = Symbol('JOB_QUEUE');

/** Optional `JobEvents` (the metrics library's) told of failed attempts. */
export const JOB_EVENTS = Symbol('JOB_EVENTS');
