export * from './runtime';
export * from './cli/run-cli';
