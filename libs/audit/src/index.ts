export * from './audit.config';
export * from './checkpoint';
export * from './checkpoint.repository';
export * from './checkpointer';
export * from './merkle';
export * from './log.audit';
export * from './audit.verifier';
export * from './audit.module';
