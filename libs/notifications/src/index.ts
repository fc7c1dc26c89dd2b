export * from './notifier.port';
export * from './movement-messages';
export * from './code-messages';
export * from './nodemailer.notifier';
export * from './notifications.config';
export * from './notifications.module';
export * from './tokens';
