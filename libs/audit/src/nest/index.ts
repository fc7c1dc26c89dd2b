export * from './audit-queries.module';
export * from './audit.queries';
