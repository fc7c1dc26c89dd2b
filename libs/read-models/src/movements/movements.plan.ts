import type { RecordedEvent } from '@ledger/event-store';
import {
  parseSagaStreamId,
  WALLET_STREAM_PREFIX,
  type SagaKind,
  type StoredWalletData,
} from '@ledger/ledger';

/**
 * One batch of the log reduced to what the movement read models write: per
 * movement and per (movement, wallet) leg, the fields the batch's events set,
 * later events overriding earlier ones. Every field is a value to set, never
 * a delta, so applying a movement's events in log order yields its state.
 * Keys are column names and amounts decimal strings, so the rows travel to
 * SQL as one JSON document.
 */
export type MovementKind =
  'transfer' | 'top_up' | 'withdrawal' | 'payment' | 'refund' | 'adjustment';

export interface SummaryPatch {
  movement_id: string;
  kind?: MovementKind;
  status?: 'pending' | 'completed' | 'failed';
  reason?: string;
  amount_minor?: string;
  currency?: string;
  credit_amount_minor?: string;
  credit_currency?: string;
  fx_rate?: string;
  fx_source?: string;
  description?: string;
  reference?: string;
  payment_id?: string;
  created_at?: string;
  completed_at?: string;
  created_commit?: string;
  created_prepare?: string;
  last_commit: string;
  last_prepare: string;
}

export interface LegPatch {
  movement_id: string;
  wallet_id: string;
  owner_id?: string;
  direction?: 'in' | 'out';
  amount_minor?: string;
  currency?: string;
  counterparty_owner_id?: string;
  held_minor?: string;
  posted_commit?: string;
  posted_prepare?: string;
  posted_at?: string;
  created_at?: string;
  created_commit?: string;
  created_prepare?: string;
  last_commit: string;
  last_prepare: string;
}

export interface MovementsPlan {
  readonly summaries: Map<string, SummaryPatch>;
  readonly legs: Map<string, LegPatch>;
}

/** What saga requests carry, as the codec stores them (amounts as strings). */
interface RawRequest {
  readonly fromWalletId?: string;
  readonly fromOwnerId?: string;
  readonly toWalletId?: string;
  readonly toOwnerId?: string;
  readonly walletId?: string;
  readonly ownerId?: string;
  readonly amountMinor?: string;
  readonly currency?: string;
  readonly creditAmountMinor?: string;
  readonly creditCurrency?: string;
  readonly fxRate?: string;
  readonly fxSource?: string;
  readonly description?: string;
  readonly reference?: string;
  readonly kind?: string;
  readonly paymentId?: string;
  readonly reason?: string;
  readonly at?: string;
}

const SAGA_KIND: Readonly<Record<SagaKind, MovementKind>> = {
  transfer: 'transfer',
  topup: 'top_up',
  withdrawal: 'withdrawal',
};

const COMPLETED = new Set(['TransferCompleted', 'TopUpCompleted', 'WithdrawalCompleted']);
const FAILED = new Set(['TransferFailed', 'TopUpFailed', 'WithdrawalFailed']);
const REQUESTED = new Set(['TransferRequested', 'TopUpRequested', 'WithdrawalRequested']);

export function planMovements(events: readonly RecordedEvent[]): MovementsPlan {
  const plan: MovementsPlan = { summaries: new Map(), legs: new Map() };
  for (const event of events) {
    if (event.streamId.startsWith(WALLET_STREAM_PREFIX)) planWalletEvent(plan, event);
    else {
      const saga = parseSagaStreamId(event.streamId);
      if (saga) planSagaEvent(plan, event, kindOf(SAGA_KIND[saga.kind], event));
    }
  }
  return plan;
}

/** A transfer's request may say it is a payment to a merchant or a refund of one. */
function kindOf(sagaKind: MovementKind, event: RecordedEvent): MovementKind {
  if (sagaKind !== 'transfer' || event.type !== 'TransferRequested') return sagaKind;
  const kind = (event.data as RawRequest).kind;
  return kind === 'payment' || kind === 'refund' ? kind : sagaKind;
}

function planSagaEvent(plan: MovementsPlan, event: RecordedEvent, kind: MovementKind): void {
  const data = event.data as RawRequest;
  const at = data.at ?? event.createdAt.toISOString();
  const id = event.streamId;
  if (REQUESTED.has(event.type)) return planRequest(plan, event, kind, data, at);
  if (COMPLETED.has(event.type))
    summary(plan, id, event, { status: 'completed', completed_at: at });
  else if (FAILED.has(event.type))
    summary(plan, id, event, {
      status: 'failed',
      completed_at: at,
      ...(data.reason && { reason: data.reason }),
    });
}

function planRequest(
  plan: MovementsPlan,
  event: RecordedEvent,
  kind: MovementKind,
  r: RawRequest,
  at: string,
): void {
  const id = event.streamId;
  const created = {
    created_at: at,
    created_commit: event.position.commit.toString(),
    created_prepare: event.position.prepare.toString(),
  };
  summary(plan, id, event, {
    kind,
    status: 'pending',
    amount_minor: r.amountMinor,
    currency: r.currency,
    ...(r.creditCurrency &&
      r.creditCurrency !== r.currency && {
        credit_amount_minor: r.creditAmountMinor,
        credit_currency: r.creditCurrency,
      }),
    ...(r.fxRate && { fx_rate: r.fxRate, fx_source: r.fxSource }),
    ...(r.description && { description: r.description }),
    ...(r.reference && { reference: r.reference }),
    ...(r.paymentId && { payment_id: r.paymentId }),
    ...created,
  });
  if (r.fromWalletId && r.toWalletId) {
    leg(plan, id, r.fromWalletId, event, {
      owner_id: r.fromOwnerId,
      direction: 'out',
      amount_minor: r.amountMinor,
      currency: r.currency,
      counterparty_owner_id: r.toOwnerId,
      ...created,
    });
    leg(plan, id, r.toWalletId, event, {
      owner_id: r.toOwnerId,
      direction: 'in',
      amount_minor: r.creditAmountMinor ?? r.amountMinor,
      currency: r.creditCurrency ?? r.currency,
      counterparty_owner_id: r.fromOwnerId,
      ...created,
    });
  } else if (r.walletId) {
    leg(plan, id, r.walletId, event, {
      owner_id: r.ownerId,
      direction: kind === 'top_up' ? 'in' : 'out',
      amount_minor: r.amountMinor,
      currency: r.currency,
      ...created,
    });
  }
}

/**
 * Wallet events say what happened to a leg's money: a hold placed or
 * resolved, a posting. An entry that belongs to no saga (a finance
 * adjustment or reversal) is a movement of its own, complete at once.
 */
function planWalletEvent(plan: MovementsPlan, event: RecordedEvent): void {
  const walletId = event.streamId.slice(WALLET_STREAM_PREFIX.length);
  const data = event.data as StoredWalletData;
  const at = data.at ?? event.createdAt.toISOString();
  const posts = event.type === 'WalletCredited' || event.type === 'WalletDebited';
  if (!data.movementId) {
    if (posts && data.entryId) planAdjustment(plan, event, walletId, data, at);
    return;
  }
  const id = data.movementId;
  const posted = {
    posted_commit: event.position.commit.toString(),
    posted_prepare: event.position.prepare.toString(),
    posted_at: at,
  };
  if (event.type === 'HoldPlaced') leg(plan, id, walletId, event, { held_minor: data.amountMinor });
  else if (event.type === 'HoldReleased') leg(plan, id, walletId, event, { held_minor: '0' });
  else if (event.type === 'HoldCaptured')
    leg(plan, id, walletId, event, { held_minor: '0', ...posted });
  else if (posts) leg(plan, id, walletId, event, posted);
}

function planAdjustment(
  plan: MovementsPlan,
  event: RecordedEvent,
  walletId: string,
  data: StoredWalletData,
  at: string,
): void {
  const id = `adjustment-${data.entryId}`;
  const position = {
    commit: event.position.commit.toString(),
    prepare: event.position.prepare.toString(),
  };
  const created = {
    created_at: at,
    created_commit: position.commit,
    created_prepare: position.prepare,
  };
  summary(plan, id, event, {
    kind: 'adjustment',
    status: 'completed',
    amount_minor: data.amountMinor,
    currency: data.currency,
    ...(data.description && { description: data.description }),
    ...(data.entryId && { reference: data.entryId }),
    completed_at: at,
    ...created,
  });
  leg(plan, id, walletId, event, {
    direction: event.type === 'WalletCredited' ? 'in' : 'out',
    amount_minor: data.amountMinor,
    currency: data.currency,
    posted_commit: position.commit,
    posted_prepare: position.prepare,
    posted_at: at,
    ...created,
  });
}

type SummaryFields = Omit<SummaryPatch, 'movement_id' | 'last_commit' | 'last_prepare'>;
type LegFields = Omit<LegPatch, 'movement_id' | 'wallet_id' | 'last_commit' | 'last_prepare'>;

function summary(plan: MovementsPlan, id: string, event: RecordedEvent, fields: SummaryFields) {
  let patch = plan.summaries.get(id);
  if (!patch) {
    patch = { movement_id: id, last_commit: '', last_prepare: '' };
    plan.summaries.set(id, patch);
  }
  assignDefined(patch, fields);
  setLast(patch, event);
}

function leg(
  plan: MovementsPlan,
  id: string,
  walletId: string,
  event: RecordedEvent,
  fields: LegFields,
) {
  const key = `${id}\u0000${walletId}`;
  let patch = plan.legs.get(key);
  if (!patch) {
    patch = { movement_id: id, wallet_id: walletId, last_commit: '', last_prepare: '' };
    plan.legs.set(key, patch);
  }
  assignDefined(patch, fields);
  setLast(patch, event);
}

function setLast(patch: { last_commit: string; last_prepare: string }, event: RecordedEvent) {
  patch.last_commit = event.position.commit.toString();
  patch.last_prepare = event.position.prepare.toString();
}

/**
 * Copies the defined fields onto the patch, so a later event never unsets
 * what an earlier one set. In place: a batch's patches are its own, and a
 * copy per event was most of the planner's time.
 */
function assignDefined<T extends object>(patch: T, fields: Partial<T>): void {
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) patch[key] = value;
  }
}
