export * from './read-model-queries.module';
export * from './wallet.queries';
export * from './movement.queries';
export * from './ledger.queries';
