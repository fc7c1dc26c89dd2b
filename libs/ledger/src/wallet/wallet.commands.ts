import type { AccountRef } from '../accounts';
import type { EntryKind } from './wallet.events';

/**
 * Commands a wallet decides on. Time (`at`) and ids come in with the command,
 * so deciding is a pure function of (state, command).
 */
interface Base {
  /** Unique per intent; a retry carries the same id and changes nothing. */
  readonly commandId: string;
  readonly at: string;
}

export interface Movement {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly contra: AccountRef;
  readonly kind: EntryKind;
  readonly movementId?: string;
  readonly description?: string;
}

export type WalletCommand =
  | (Base & { type: 'OpenWallet'; walletId: string; ownerId: string; currency: string })
  | (Base & Movement & { type: 'Credit'; entryId: string; reverses?: string })
  | (Base & Movement & { type: 'Debit'; entryId: string; reverses?: string })
  | (Base & Movement & { type: 'PlaceHold'; holdId: string })
  | (Base & { type: 'CaptureHold'; holdId: string })
  | (Base & { type: 'ReleaseHold'; holdId: string })
  | (Base & { type: 'Freeze'; reason: string })
  | (Base & { type: 'Unfreeze' })
  | (Base & { type: 'Close' });

export type WalletCommandType = WalletCommand['type'];
