import type { EventData, EventMetadata, RecordedEvent } from '@ledger/event-store';
import { toBigInt } from '../money';
import { deriveId } from '../ids';
import {
  ENTRY_KINDS,
  postingOf,
  type EntryKind,
  type WalletEvent,
  type WalletEventType,
  WALLET_EVENT_TYPES,
} from './wallet.events';

/** A journal entry as the codec spells it out beside the data (amount as a string). */
export interface StoredEntry {
  readonly debit: string;
  readonly credit: string;
  readonly amountMinor: string;
  readonly currency: string;
}

/**
 * The fields a stored wallet event's data may carry, as `toEventData` writes
 * them: `WalletEvent`'s data with amounts as decimal strings, plus `entry`.
 * Readers that skip `fromRecorded` (the projectors) read this shape, and
 * check each field they use.
 */
export interface StoredWalletData {
  readonly walletId?: string;
  readonly ownerId?: string;
  readonly currency?: string;
  readonly amountMinor?: string;
  readonly contra?: string;
  readonly kind?: string;
  readonly entryId?: string;
  readonly holdId?: string;
  readonly movementId?: string;
  readonly description?: string;
  readonly reason?: string;
  readonly at?: string;
  readonly entry?: StoredEntry;
}

/**
 * Converts wallet events to and from what the event store keeps. JSON has
 * no bigint, so amounts are stored as decimal strings; every money-moving
 * event also carries its journal entry (`entry`: debit, credit, amount,
 * currency) spelled out, so an auditor reading the raw log needs no code.
 */
export function toEventData(
  walletId: string,
  event: WalletEvent,
  commandId: string,
  index: number,
  metadata: EventMetadata,
): EventData {
  const posting = postingOf(walletId, event);
  const data: Record<string, unknown> = { ...event.data };
  if ('amountMinor' in event.data) data.amountMinor = event.data.amountMinor.toString();
  if (posting) data.entry = { ...posting, amountMinor: posting.amountMinor.toString() };
  return {
    id: deriveId(commandId, String(index)),
    type: event.type,
    data,
    metadata: { ...metadata, commandId },
  };
}

export function isWalletEventType(type: string): type is WalletEventType {
  return (WALLET_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Rebuilds the domain event, checking its shape instead of trusting it:
 * throws on an event type a wallet stream cannot hold, a missing or
 * mistyped field, or an amount that is not an exact positive integer (a
 * corrupt log). The journal entry spelled out beside the data is checked
 * by the verifier, not here.
 */
export function fromRecorded(recorded: Pick<RecordedEvent, 'type' | 'data'>): WalletEvent {
  const { type } = recorded;
  if (!isWalletEventType(type)) throw new Error(`Not a wallet event: ${type}`);
  if (typeof recorded.data !== 'object' || recorded.data === null)
    throw new TypeError(`Malformed ${type}: no data`);
  const { entry: _entry, ...rest } = recorded.data;
  const shape = SHAPES[type];
  for (const field of shape.text)
    if (typeof rest[field] !== 'string' || rest[field] === '')
      throw new TypeError(`Malformed ${type}: ${field} must be a non-empty string`);
  for (const field of OPTIONAL_TEXT)
    if (rest[field] !== undefined && typeof rest[field] !== 'string')
      throw new TypeError(`Malformed ${type}: ${field} must be a string`);
  if (!shape.amount) return { type, data: rest } as WalletEvent;
  const amountMinor = toBigInt(rest.amountMinor);
  if (amountMinor <= 0n) throw new TypeError(`Malformed ${type}: amountMinor must be positive`);
  if (!ENTRY_KINDS.includes(rest.kind as EntryKind))
    throw new TypeError(`Malformed ${type}: unknown kind ${String(rest.kind)}`);
  return { type, data: { ...rest, amountMinor } } as WalletEvent;
}

const ENTRY = ['amountMinor', 'currency', 'contra', 'kind', 'at'];
/** What each event type must carry (text fields; whether it moves or holds an amount). */
const SHAPES: Readonly<Record<WalletEventType, { text: readonly string[]; amount: boolean }>> = {
  WalletOpened: { text: ['walletId', 'ownerId', 'currency', 'at'], amount: false },
  WalletCredited: { text: ['entryId', ...ENTRY.slice(1)], amount: true },
  WalletDebited: { text: ['entryId', ...ENTRY.slice(1)], amount: true },
  HoldPlaced: { text: ['holdId', ...ENTRY.slice(1)], amount: true },
  HoldCaptured: { text: ['holdId', ...ENTRY.slice(1)], amount: true },
  HoldReleased: { text: ['holdId', ...ENTRY.slice(1)], amount: true },
  WalletFrozen: { text: ['reason', 'at'], amount: false },
  WalletUnfrozen: { text: ['at'], amount: false },
  WalletClosed: { text: ['at'], amount: false },
};
const OPTIONAL_TEXT = ['movementId', 'description', 'reverses'] as const;
