/**
 * `@ledger/event-store/sql`: the SQL adapter of the event store port, one
 * implementation for Postgres (`pg`) and PGlite, and the checkpoint store
 * every reader of the log shares (`log_checkpoints`). It loads no driver (the
 * database arrives as a `SqlDatabase`); outside the readers' checkpoints, only
 * composition roots, benchmarks and tests import it.
 */
export {
  SqlEventStore,
  MAX_REQUESTS_PER_BATCH,
  MAX_EVENTS_PER_BATCH,
  type SqlEventStoreOptions,
} from './sql.event-store';
export {
  CheckpointMoved,
  findCheckpoint,
  loadCheckpoint,
  lockCheckpoint,
  moveCheckpoint,
  type Checkpoint,
} from './log-checkpoints';
