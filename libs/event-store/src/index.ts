/**
 * `@ledger/event-store`: the port (types, errors, positions, the checkpointed
 * reader of the global log) and nothing that loads a driver. The adapters
 * are behind their own entry points: `@ledger/event-store/sql` (Postgres and
 * PGlite) and `@ledger/event-store/esdb` (EventStoreDB).
 */
export * from './event-store.port';
export * from './tokens';
export * from './append-request';
export * from './integers';
export { readEachStream } from './read-limit';
export * from './checkpointed.reader';
export * from './hash-chain';
export * from './chain.check';
