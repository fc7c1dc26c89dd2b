/**
 * `@ledger/ledger`: the ledger's domain (money, accounts, the wallet and
 * movement deciders, the command path) with no framework in it. The Nest
 * wiring (modules, injectable services, the saga record and the gateway
 * report recorder) is `@ledger/ledger/nest`.
 */
export * from './money';
export * from './accounts';
export * from './ids';
export * from './wallet/wallet.events';
export * from './wallet/wallet.commands';
export * from './wallet/wallet.rejections';
export * from './wallet/wallet.decider';
export * from './wallet/wallet.codec';
export * from './wallet/open-wallet.command';
export * from './wallet/wallet.aggregate';
export * from './command-path/aggregate';
export * from './command-path/append-batcher';
export * from './command-path/read-batcher';
export * from './command-path/command-processor';
export * from './command-path/held-streams';
export { StreamBusyError } from './command-path/stream-lanes';
export * from './command-path/command-path.observer';
export * from './command-path/state-cache';
export * from './movements';
