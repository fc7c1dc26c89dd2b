export * from './job-queue.port';
export * from './job.errors';
export * from './tokens';
export * from './jobs.config';
export * from './jobs.module';
export * from './bullmq.job-queue';
export * from './in-process.job-queue';
export * from './job-correlation';
