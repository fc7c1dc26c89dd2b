export * from './ledger.module';
export * from './wallet-commands.service';
export * from './open-wallet.handler';
