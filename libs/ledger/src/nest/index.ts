export * from './ledger.module';
export * from './wallet-commands.service';
export * from './open-wallet.handler';
export * from './state-cache.config';
export * from '../movements/nest/movement-streams.service';
export * from '../movements/nest/gateway-events.recorder';
export * from '../movements/nest/movement-streams.module';
