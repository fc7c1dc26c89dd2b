export * from './env';
export * from './app.config';
export * from './local-secrets';
export * from './schema/kinds';
export * from './schema/config.schema';
export * from './schema/settings';
