import { formatPosition, type Position } from '@ledger/event-store';
import type { OpenedWallet, Wallet } from '@ledger/ledger';
import type { WalletBalance, WalletBalanceAsOf } from '@ledger/read-models';
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

/** A wallet's balances as of a point of the log; status and revision are today's, so left out. */
export function fromBalanceAsOf(w: WalletBalance, then: WalletBalanceAsOf) {
  return {
    id: w.walletId,
    ownerId: w.ownerId,
    currency: w.currency,
    postedMinor: then.postedMinor.toString(),
    heldMinor: then.heldMinor.toString(),
    availableMinor: then.availableMinor.toString(),
    creditsMinor: then.creditsMinor.toString(),
    debitsMinor: then.debitsMinor.toString(),
  };
}
