/**
 * What every service process (the API and the worker) is wired with: the
 * runtime's infrastructure, request correlation, health checks and the
 * configuration check run before start.
 */
export * from './configuration';
export * from './health/health.module';
export * from './infrastructure/correlation.module';
export * from './infrastructure/infrastructure.module';
export * from './service-queues';
export * from './tracing/traced-event-store';
