export * from './event-store.port';
export * from './tokens';
export * from './append-request';
export * from './catch-up.subscription';
export * from './hash-chain';
export {
  SqlEventStore,
  MAX_REQUESTS_PER_BATCH,
  MAX_EVENTS_PER_BATCH,
  type SqlEventStoreOptions,
} from './postgres/sql.event-store';
export { EsdbEventStore } from './esdb/esdb.event-store';
export * from './chain.check';
