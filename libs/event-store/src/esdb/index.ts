/**
 * `@ledger/event-store/esdb`: the EventStoreDB adapter of the event store
 * port. Importing it loads `@eventstore/db-client`; only composition roots
 * and tests import it.
 */
export { EsdbEventStore } from './esdb.event-store';
