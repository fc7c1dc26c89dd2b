export * from './observability.config';
export * from './redaction';
export * from './request-id';
export * from './logging';
export * from './ledger.metrics';
export * from './ledger.collectors';
export * from './http-metrics';
export * from './metrics.module';
