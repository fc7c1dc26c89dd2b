export * from './env';
export * from './app.config';
export * from './local-secrets';
