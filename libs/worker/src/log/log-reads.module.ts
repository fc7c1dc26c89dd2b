import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { SharedLogReads } from './shared-log-reads';

/** The event store as the worker's log readers see it: one read of the log for all of them. */
export const WORKER_LOG = Symbol('WORKER_LOG');

/**
 * One `SharedLogReads` per process (a Nest module is made once), for the
 * projector and the saga driver. Needs EVENT_STORE from a global module.
 */
@Module({
  providers: [
    {
      provide: WORKER_LOG,
      useFactory: (store: EventStore) => new SharedLogReads(store),
      inject: [EVENT_STORE],
    },
  ],
  exports: [WORKER_LOG],
})
export class LogReadsModule {}
