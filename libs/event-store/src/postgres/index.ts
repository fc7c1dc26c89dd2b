/**
 * `@ledger/event-store/sql`: the SQL adapter of the event store port, one
 * implementation for Postgres (`pg`) and PGlite. Only composition roots,
 * benchmarks and tests import it; everything else depends on the port.
 */
export {
  SqlEventStore,
  MAX_REQUESTS_PER_BATCH,
  MAX_EVENTS_PER_BATCH,
  type SqlEventStoreOptions,
} from './sql.event-store';
