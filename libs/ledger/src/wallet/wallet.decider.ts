import { isContraAccount } from '../accounts';
import { isCurrency, MAX_AMOUNT_MINOR } from '../money';
import type { WalletCommand } from './wallet.commands';
import type { HoldFields, WalletEvent } from './wallet.events';
import type { WalletRejection } from './wallet.rejections';

export interface OpenHold {
  readonly amountMinor: bigint;
  readonly fields: HoldFields;
}

export type Wallet =
  | { readonly status: 'unopened' }
  | {
      readonly status: 'open' | 'frozen' | 'closed';
      readonly walletId: string;
      readonly ownerId: string;
      readonly currency: string;
      /** Sum of credits minus sum of debits: the posted balance. */
      readonly postedMinor: bigint;
      /** Sum of open holds. available = posted - held, and is never negative. */
      readonly heldMinor: bigint;
      readonly holds: ReadonlyMap<string, OpenHold>;
    };

export type OpenedWallet = Exclude<Wallet, { status: 'unopened' }>;

export const initialWallet: Wallet = { status: 'unopened' };

export function availableOf(wallet: OpenedWallet): bigint {
  return wallet.postedMinor - wallet.heldMinor;
}

/**
 * Decides what a command does to a wallet: the events to append, or the
 * reason it is refused. Pure: no clock, no randomness, no I/O.
 */
export function decide(command: WalletCommand, wallet: Wallet): WalletEvent[] | WalletRejection {
  if (command.type === 'OpenWallet') {
    if (wallet.status !== 'unopened') return 'wallet_already_exists';
    if (!isCurrency(command.currency)) return 'unknown_currency';
    const { walletId, ownerId, currency, at } = command;
    return [{ type: 'WalletOpened', data: { walletId, ownerId, currency, at } }];
  }
  if (wallet.status === 'unopened') return 'wallet_not_found';
  if (wallet.status === 'closed') return 'wallet_closed';
  switch (command.type) {
    case 'Credit':
    case 'Debit':
    case 'PlaceHold':
      return decideMovement(command, wallet);
    case 'CaptureHold':
    case 'ReleaseHold': {
      // Resolving a hold is allowed on a frozen wallet: a freeze stops new
      // money movements, not the completion or unwinding of ones in flight.
      const hold = wallet.holds.get(command.holdId);
      if (!hold) return 'hold_not_found';
      const type = command.type === 'CaptureHold' ? 'HoldCaptured' : 'HoldReleased';
      return [{ type, data: { ...hold.fields, at: command.at } }];
    }
    case 'Freeze':
      if (wallet.status === 'frozen') return 'wallet_frozen';
      return [{ type: 'WalletFrozen', data: { reason: command.reason, at: command.at } }];
    case 'Unfreeze':
      if (wallet.status !== 'frozen') return 'wallet_not_frozen';
      return [{ type: 'WalletUnfrozen', data: { at: command.at } }];
    case 'Close':
      if (wallet.heldMinor !== 0n) return 'open_holds_remain';
      if (wallet.postedMinor !== 0n) return 'balance_not_zero';
      return [{ type: 'WalletClosed', data: { at: command.at } }];
  }
}

function decideMovement(
  command: Extract<WalletCommand, { type: 'Credit' | 'Debit' | 'PlaceHold' }>,
  wallet: OpenedWallet,
): WalletEvent[] | WalletRejection {
  if (wallet.status === 'frozen') return 'wallet_frozen';
  if (command.currency !== wallet.currency) return 'currency_mismatch';
  if (command.amountMinor <= 0n) return 'amount_must_be_positive';
  if (command.amountMinor > MAX_AMOUNT_MINOR) return 'amount_exceeds_limit';
  if (!isContraAccount(command.contra)) return 'invalid_contra_account';
  const { amountMinor, currency, contra, kind, movementId, description, at } = command;
  const optional = { ...(movementId && { movementId }), ...(description && { description }) };
  // Wallets are credit-normal: what leaves may never exceed what is available.
  if (command.type !== 'Credit' && amountMinor > availableOf(wallet)) return 'exceeds_available';
  if (command.type === 'Credit' || command.type === 'Debit') {
    const reverses = command.reverses ? { reverses: command.reverses } : {};
    const data = {
      entryId: command.entryId,
      amountMinor,
      currency,
      contra,
      kind,
      ...optional,
      ...reverses,
      at,
    };
    return [{ type: command.type === 'Credit' ? 'WalletCredited' : 'WalletDebited', data }];
  }
  if (wallet.holds.has(command.holdId)) return 'hold_id_in_use';
  return [
    {
      type: 'HoldPlaced',
      data: { holdId: command.holdId, amountMinor, currency, contra, kind, ...optional, at },
    },
  ];
}

/**
 * An event that cannot stand where it is in a wallet stream: a second
 * opening, anything before the opening, a hold placed twice, a capture or
 * release of a hold that does not exist (or for another amount), money in
 * another currency. The decider never produces one, so it means a corrupt or
 * edited log, and folding on would build a state no decision made.
 */
export class ImpossibleWalletEvent extends Error {
  constructor(
    readonly eventType: string,
    reason: string,
  ) {
    super(`Impossible ${eventType} in a wallet stream: ${reason}`);
    this.name = 'ImpossibleWalletEvent';
  }
}

/**
 * Folds one event into the wallet. Total over every event a wallet stream
 * can hold; throws `ImpossibleWalletEvent` for one it cannot hold there.
 */
export function evolve(wallet: Wallet, event: WalletEvent): Wallet {
  if (event.type === 'WalletOpened') {
    if (wallet.status !== 'unopened')
      throw new ImpossibleWalletEvent(event.type, 'the wallet is already open');
    const { walletId, ownerId, currency } = event.data;
    return {
      status: 'open',
      walletId,
      ownerId,
      currency,
      postedMinor: 0n,
      heldMinor: 0n,
      holds: new Map(),
    };
  }
  if (wallet.status === 'unopened')
    throw new ImpossibleWalletEvent(event.type, 'the wallet was never opened');
  if ('currency' in event.data && event.data.currency !== wallet.currency)
    throw new ImpossibleWalletEvent(
      event.type,
      `${event.data.currency} in a ${wallet.currency} wallet`,
    );
  switch (event.type) {
    case 'WalletCredited':
      return { ...wallet, postedMinor: wallet.postedMinor + event.data.amountMinor };
    case 'WalletDebited':
      return { ...wallet, postedMinor: wallet.postedMinor - event.data.amountMinor };
    case 'HoldPlaced': {
      if (wallet.holds.has(event.data.holdId))
        throw new ImpossibleWalletEvent(event.type, `hold ${event.data.holdId} is already placed`);
      const holds = new Map(wallet.holds);
      holds.set(event.data.holdId, { amountMinor: event.data.amountMinor, fields: event.data });
      return { ...wallet, heldMinor: wallet.heldMinor + event.data.amountMinor, holds };
    }
    case 'HoldCaptured':
    case 'HoldReleased': {
      const hold = wallet.holds.get(event.data.holdId);
      if (!hold) throw new ImpossibleWalletEvent(event.type, `no hold ${event.data.holdId}`);
      if (hold.amountMinor !== event.data.amountMinor)
        throw new ImpossibleWalletEvent(
          event.type,
          `hold ${event.data.holdId} is ${hold.amountMinor}, not ${event.data.amountMinor}`,
        );
      const holds = new Map(wallet.holds);
      holds.delete(event.data.holdId);
      const posted =
        event.type === 'HoldCaptured'
          ? wallet.postedMinor - event.data.amountMinor
          : wallet.postedMinor;
      return {
        ...wallet,
        postedMinor: posted,
        heldMinor: wallet.heldMinor - event.data.amountMinor,
        holds,
      };
    }
    case 'WalletFrozen':
      return { ...wallet, status: 'frozen' };
    case 'WalletUnfrozen':
      return { ...wallet, status: 'open' };
    case 'WalletClosed':
      return { ...wallet, status: 'closed' };
  }
}
