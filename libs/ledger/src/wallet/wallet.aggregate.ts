import type { Aggregate } from '../command-path/aggregate';
import type { WalletCommand } from './wallet.commands';
import { decide, evolve, initialWallet, type Wallet } from './wallet.decider';
import { fromRecorded, toEventData } from './wallet.codec';
import { WALLET_STREAM_PREFIX, type WalletEvent } from './wallet.events';
import type { WalletRejection } from './wallet.rejections';

/** Streams are `wallet-<walletId>`; the codec needs the wallet id to spell out each entry. */
export const walletAggregate: Aggregate<Wallet, WalletCommand, WalletEvent, WalletRejection> = {
  initialState: initialWallet,
  decide,
  evolve,
  encode: (streamId, event, commandId, index, metadata) =>
    toEventData(streamId.slice(WALLET_STREAM_PREFIX.length), event, commandId, index, metadata),
  decode: fromRecorded,
};
