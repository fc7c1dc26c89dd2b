export * from './test-databases';
export * from './in-memory.event-store';
export * from './last-committed';
export * from './decider-spec';
