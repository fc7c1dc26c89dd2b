import { formatPosition, type Position } from '@ledger/event-store';
import type { OpenedWallet, Wallet } from '@ledger/ledger';
import type { WalletBalance } from '@ledger/read-models';
import type { WalletView } from './wallet.dto';

/** Amounts leave the API as strings of minor units, never as JSON numbers. */
export function fromReadModel(w: WalletBalance): WalletView {
  return {
    id: w.walletId,
    ownerId: w.ownerId,
    currency: w.currency,
    status: w.status,
    postedMinor: w.postedMinor.toString(),
    heldMinor: w.heldMinor.toString(),
    availableMinor: w.availableMinor.toString(),
    revision: w.revision.toString(),
  };
}

/** The write side's view, right after a command: exact, and ahead of the read models. */
export function fromWriteSide(
  wallet: Wallet,
  revision: bigint | undefined,
  position: Position | undefined,
): WalletView | undefined {
  if (wallet.status === 'unopened') return undefined;
  const w: OpenedWallet = wallet;
  return {
    id: w.walletId,
    ownerId: w.ownerId,
    currency: w.currency,
    status: w.status,
    postedMinor: w.postedMinor.toString(),
    heldMinor: w.heldMinor.toString(),
    availableMinor: (w.postedMinor - w.heldMinor).toString(),
    revision: String(revision ?? -1n),
    ...(position && { position: formatPosition(position) }),
  };
}
