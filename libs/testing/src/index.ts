export * from './test-databases';
export * from './in-memory.event-store';
