import type { RecordedEvent } from '@ledger/event-store';
import type { TopUp, Transfer, Withdrawal } from '@ledger/ledger';
import type { SagaState } from '@ledger/ledger/nest';
import type { MovementKind } from '@ledger/notifications';

/** A movement's terminal status, the only ones anyone is told about. */
export type TerminalStatus = 'completed' | 'failed';
/** Who a party is to the movement; unique within one movement, so it names the recipient in job ids. */
export type PartyRole = 'sender' | 'recipient' | 'owner';

/** One person to tell about a movement, and what to tell them (no contact data: ids only). */
export interface MovementRecipient {
  readonly role: PartyRole;
  readonly userId: string;
  readonly kind: MovementKind;
  /** In the recipient's own currency: a converted transfer reaches the recipient in theirs. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The other party of a transfer, whose display name the message shows. */
  readonly counterpartyId?: string;
  /** Why it failed, as the message builder names reasons; absent when the recipient is not told why. */
  readonly reason?: string;
}

/**
 * Wallet rejections the saga records, in the message builder's vocabulary
 * (anything not named there is shown as the generic reason).
 */
const REASON_FOR_USER: Readonly<Record<string, string>> = {
  exceeds_available: 'insufficient_funds',
};

/**
 * The people told about a terminal movement: the owners of the wallets it
 * moved money for. Staff who requested a movement for a customer are not
 * told: the message speaks to the owner ("you sent", "your top-up"). A
 * transfer's recipient hears only of money that arrived: a failed transfer
 * never reached them, and why it failed is the sender's business (their
 * balance, their limits), so only the sender is told.
 */
export function recipientsOf(saga: SagaState): MovementRecipient[] {
  const status = saga.summary?.status;
  if (status !== 'completed' && status !== 'failed') return [];
  if (saga.kind === 'transfer') {
    const state = saga.state as Transfer;
    if (state.phase === 'none') return [];
    const r = state.request;
    const reason = status === 'failed' ? userReason(state.reason) : undefined;
    // A payment or a refund runs as a transfer; its parties are told what it was.
    const what = r.kind ?? 'transfer';
    const sender: MovementRecipient = {
      role: 'sender',
      userId: r.fromOwnerId,
      kind: `${what}_sent`,
      amountMinor: r.amountMinor,
      currency: r.currency,
      counterpartyId: r.toOwnerId,
      ...(reason && { reason }),
    };
    if (status === 'failed') return [sender];
    const recipient: MovementRecipient = {
      role: 'recipient',
      userId: r.toOwnerId,
      kind: `${what}_received`,
      amountMinor: r.creditAmountMinor,
      currency: r.creditCurrency,
      counterpartyId: r.fromOwnerId,
    };
    return [sender, recipient];
  }
  const state = saga.state as TopUp | Withdrawal;
  if (state.phase === 'none') return [];
  const reason = status === 'failed' ? userReason(state.reason) : undefined;
  return [
    {
      role: 'owner',
      userId: state.request.ownerId,
      kind: saga.kind === 'topup' ? 'top_up' : 'withdrawal',
      amountMinor: state.request.amountMinor,
      currency: state.request.currency,
      ...(reason && { reason }),
    },
  ];
}

function userReason(reason: string | undefined): string | undefined {
  return reason === undefined ? undefined : (REASON_FOR_USER[reason] ?? reason);
}

const TERMINAL_EVENT = /^(Transfer|TopUp|Withdrawal)(Completed|Failed)$/;

/** A movement's completion or failure. */
export function isTerminalEvent(event: RecordedEvent): boolean {
  return TERMINAL_EVENT.test(event.type);
}

/** A terminal event's own time, or its recording time when it names none. */
export function terminalAt(event: RecordedEvent): Date {
  const at = (event.data as { at?: unknown }).at;
  const parsed = typeof at === 'string' ? new Date(at) : event.createdAt;
  return Number.isNaN(parsed.getTime()) ? event.createdAt : parsed;
}

/** When the movement ended: its terminal event's own time (a report recorded after it does not move it). */
export function endedAt(events: readonly RecordedEvent[]): Date {
  for (const event of [...events].reverse()) {
    if (isTerminalEvent(event)) return terminalAt(event);
  }
  return events.at(-1)?.createdAt ?? new Date(0);
}
