import type { AccountRef, Posting } from '../accounts';
import { walletAccount } from '../accounts';

/**
 * Events of a wallet stream (`wallet-<walletId>`). Money-moving events are
 * balanced journal entries: `postingOf` names the debited and credited
 * account. Holds reserve money without posting it.
 */
export const ENTRY_KINDS = [
  'top_up',
  'withdrawal',
  'transfer',
  'payment',
  'refund',
  'adjustment',
  'reversal',
  'fx',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface EntryFields {
  readonly entryId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly contra: AccountRef;
  readonly kind: EntryKind;
  /** The saga stream (`transfer-…`, `topup-…`, `withdrawal-…`) this entry belongs to. */
  readonly movementId?: string;
  readonly description?: string;
  /** For a reversing entry: the entry it reverses. */
  readonly reverses?: string;
  readonly at: string;
}

export interface HoldFields {
  readonly holdId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly contra: AccountRef;
  readonly kind: EntryKind;
  readonly movementId?: string;
  readonly description?: string;
  readonly at: string;
}

export type WalletEvent =
  | {
      type: 'WalletOpened';
      data: { walletId: string; ownerId: string; currency: string; at: string };
    }
  | { type: 'WalletCredited'; data: EntryFields }
  | { type: 'WalletDebited'; data: EntryFields }
  | { type: 'HoldPlaced'; data: HoldFields }
  | { type: 'HoldCaptured'; data: HoldFields }
  | { type: 'HoldReleased'; data: HoldFields }
  | { type: 'WalletFrozen'; data: { reason: string; at: string } }
  | { type: 'WalletUnfrozen'; data: { at: string } }
  | { type: 'WalletClosed'; data: { at: string } };

export type WalletEventType = WalletEvent['type'];

export const WALLET_EVENT_TYPES: readonly WalletEventType[] = [
  'WalletOpened',
  'WalletCredited',
  'WalletDebited',
  'HoldPlaced',
  'HoldCaptured',
  'HoldReleased',
  'WalletFrozen',
  'WalletUnfrozen',
  'WalletClosed',
];

/** Every wallet stream's id is this prefix and the wallet id; the one place it is spelled. */
export const WALLET_STREAM_PREFIX = 'wallet-';

export const walletStream = (walletId: string): string => `${WALLET_STREAM_PREFIX}${walletId}`;

/**
 * The journal entry an event records, or undefined for events that move no
 * money. Wallets are credit-normal: a credit raises the balance.
 */
export function postingOf(walletId: string, event: WalletEvent): Posting | undefined {
  const wallet = walletAccount(walletId);
  switch (event.type) {
    case 'WalletCredited':
      return {
        debit: event.data.contra,
        credit: wallet,
        amountMinor: event.data.amountMinor,
        currency: event.data.currency,
      };
    case 'WalletDebited':
    case 'HoldCaptured':
      return {
        debit: wallet,
        credit: event.data.contra,
        amountMinor: event.data.amountMinor,
        currency: event.data.currency,
      };
    default:
      return undefined;
  }
}
