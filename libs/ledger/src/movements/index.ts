export * from './saga';
export * from './sagas';
export * from './saga-jobs.port';
export * from './movement.rejections';
export * from './fx/fx-rate';
export * from './transfer/transfer.events';
export * from './transfer/transfer.decider';
export * from './nest/movement-streams.service';
