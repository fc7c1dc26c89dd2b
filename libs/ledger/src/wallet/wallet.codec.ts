import type { EventData, EventMetadata, RecordedEvent } from '@ledger/event-store';
import { toBigInt } from '../money';
import { deriveId } from '../ids';
import {
  postingOf,
  type WalletEvent,
  type WalletEventType,
  WALLET_EVENT_TYPES,
} from './wallet.events';

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

/** Rebuilds the domain event; throws on an event type a wallet stream cannot hold (a corrupt log). */
export function fromRecorded(recorded: Pick<RecordedEvent, 'type' | 'data'>): WalletEvent {
  if (!isWalletEventType(recorded.type)) throw new Error(`Not a wallet event: ${recorded.type}`);
  const { entry: _entry, ...rest } = recorded.data as Record<string, unknown>;
  const data = 'amountMinor' in rest ? { ...rest, amountMinor: toBigInt(rest.amountMinor) } : rest;
  return { type: recorded.type, data } as WalletEvent;
}
