import type { EventData, EventMetadata, RecordedEvent } from '@ledger/event-store';
import type { Aggregate } from '../command-path/aggregate';
import { deriveId } from '../ids';
import { toBigInt } from '../money';
import type { WalletCommand } from '../wallet/wallet.commands';

/**
 * What every money-movement saga (process manager) shares. A saga instance is
 * its own stream, `<kind>-<uuid>`: its inputs are recorded there first (so a
 * duplicate is seen), and so is the outcome of every step it takes. A pure
 * `next` reads the recorded state and says which steps are due; the driver
 * performs them and records their outcomes, so a crash at any line is
 * resumed by deciding again from the stream.
 */
export const SAGA_KINDS = ['transfer', 'topup', 'withdrawal'] as const;
export type SagaKind = (typeof SAGA_KINDS)[number];

const SAGA_STREAM =
  /^(transfer|topup|withdrawal)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const sagaStreamId = (kind: SagaKind, id: string): string => `${kind}-${id}`;

/** The kind and id of a saga stream, or undefined for any other stream. */
export function parseSagaStreamId(streamId: string): { kind: SagaKind; id: string } | undefined {
  const match = SAGA_STREAM.exec(streamId);
  const [, kind, id] = match ?? [];
  return kind !== undefined && id !== undefined ? { kind: kind as SagaKind, id } : undefined;
}

/**
 * The id of a step's wallet command, hold or entry. It depends only on the
 * saga and the step, so re-running a step after a crash issues the very same
 * command and the wallet recognises it.
 */
export const stepId = (movementId: string, step: string): string => deriveId(movementId, step);

/** A job the saga needs run outside the command path (a provider call, a timer). */
export interface SagaJob {
  readonly name: SagaJobName;
  /** Deduplicates: enqueuing the same id twice runs the job once. */
  readonly jobId: string;
  readonly movementId: string;
  /** When a delayed job is due; the driver turns it into a delay with its own clock. */
  readonly runAt?: string;
}

export const SAGA_JOB_NAMES = [
  'topup.timeout',
  'topup.refund',
  'topup.confirm',
  'withdrawal.payout',
  'withdrawal.timeout',
  'withdrawal.cancel_payout',
  'withdrawal.check_payout',
] as const;
export type SagaJobName = (typeof SAGA_JOB_NAMES)[number];

/**
 * A delayed job (`runAt`) is either a timeout, whose firing records the
 * saga's `RecordTimeout`, or a provider call made later (asking what became
 * of a payout). Both are kept in `saga_timers`, so neither depends on the
 * queue keeping its delayed job; when due, a timeout is recorded and a
 * delayed call is enqueued to run at once.
 */
export function isTimeoutJob(name: SagaJobName): boolean {
  return name === 'topup.timeout' || name === 'withdrawal.timeout';
}

/** A saga advances at most this many steps per call; a saga needing more is looping. */
export const MAX_STEPS_PER_ADVANCE = 8;

/** A wallet command the saga issues; its outcome is recorded as the step's result. */
export interface SagaAction {
  readonly type: 'wallet';
  readonly step: string;
  readonly walletId: string;
  readonly command: WalletCommand;
}

/** What a step came to: done, or refused with a named reason (a wallet rejection, a provider refusal). */
export type StepResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type SagaStatus = 'pending' | 'completed' | 'failed';

export interface SagaSummary {
  readonly status: SagaStatus;
  /** The saga's own finer state (`held`, `credit_refused`, `payout_requested`…). */
  readonly phase: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly walletIds: readonly string[];
  /** User ids entitled to see the movement. */
  readonly partyIds: readonly string[];
  readonly requestedAt: string;
  readonly failureReason?: string;
}

/** What a movement that touches one wallet (a top-up, a withdrawal) keeps of its request. */
export interface OneWalletRequest {
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly walletId: string;
  readonly requestedBy: string;
  readonly ownerId: string;
  readonly at: string;
}

/** The summary of a one-wallet movement; `phase` names its terminal states `completed` and `failed`. */
export function oneWalletSummary(state: {
  readonly phase: string;
  readonly request: OneWalletRequest;
  readonly reason?: string;
}): SagaSummary {
  const r = state.request;
  return {
    status:
      state.phase === 'completed' ? 'completed' : state.phase === 'failed' ? 'failed' : 'pending',
    phase: state.phase,
    amountMinor: r.amountMinor,
    currency: r.currency,
    walletIds: [r.walletId],
    partyIds: [...new Set([r.requestedBy, r.ownerId])],
    requestedAt: r.at,
    ...(state.phase === 'failed' && state.reason && { failureReason: state.reason }),
  };
}

/** The generic command every saga accepts: the outcome of one of its own steps. */
export interface RecordStep<Step extends string = string> {
  readonly type: 'RecordStep';
  readonly commandId: string;
  readonly step: Step;
  readonly result: StepResult;
  readonly at: string;
}

export function recordStep<Step extends string>(
  movementId: string,
  step: Step,
  result: StepResult,
  at: string,
): RecordStep<Step> {
  return { type: 'RecordStep', commandId: deriveId(movementId, 'outcome', step), step, result, at };
}

/** One step's outcome as a record of several carries it. */
export interface StepOutcome<Step extends string = string> {
  readonly step: Step;
  readonly result: StepResult;
  readonly at: string;
}

/**
 * The outcomes of the steps an inline run took one after the other within
 * its lease, recorded in one append. Once the driver has ended the inline
 * run (`EndInlineRun`), it records nothing: see docs/sagas.md, "The inline
 * run's lease".
 */
export interface RecordSteps<Step extends string = string> {
  readonly type: 'RecordSteps';
  readonly commandId: string;
  readonly outcomes: readonly StepOutcome<Step>[];
}

export function recordSteps<Step extends string>(
  movementId: string,
  outcomes: readonly StepOutcome<Step>[],
): RecordSteps<Step> {
  // The id names the outcomes, so a different set is never taken for a repeat.
  const named = outcomes.map((o) => `${o.step}:${o.result.ok ? 'ok' : o.result.reason}`);
  return { type: 'RecordSteps', commandId: deriveId(movementId, 'outcomes', ...named), outcomes };
}

/**
 * The driver takes over a saga whose inline run's lease is over: from this
 * event on the inline run's records (`RecordSteps`) record nothing, so a
 * refusal the inline run saw can no longer land after the driver acted.
 */
export interface EndInlineRun {
  readonly type: 'EndInlineRun';
  readonly commandId: string;
  readonly at: string;
}

export function endInlineRun(movementId: string, at: string): EndInlineRun {
  return { type: 'EndInlineRun', commandId: deriveId(movementId, 'inline-run-ended'), at };
}

/** Until when the process that recorded a request may take the saga's steps itself. */
export interface InlineLease {
  /** ISO time: past it the inline run makes no wallet decision. */
  readonly until: string;
  /** The driver took the saga over (`EndInlineRun` is recorded). */
  readonly ended: boolean;
}

export interface SagaEvent {
  readonly type: string;
  readonly data: object;
}

/** One saga kind: an aggregate for the command path plus what the driver needs. */
export interface SagaDefinition<
  S,
  C extends { commandId: string },
  E extends SagaEvent,
  R extends string,
> extends Aggregate<S, C, E, R> {
  readonly kind: SagaKind;
  /** The wallet steps due now, given the recorded state. Pure: `at` is the driver's clock. */
  next(state: S, movementId: string, at: string): SagaAction[];
  /**
   * The jobs that must exist while the saga is in its current state (a
   * provider call in flight, a timer). The driver enqueues them each time it
   * advances the saga, and the job id makes that idempotent. While the saga
   * stays in that state, the driver's reconciliation re-creates a job the
   * queue lost, and a timer (`runAt`) is also kept in Postgres and fired
   * from there, so none depends on the queue keeping it.
   */
  jobs(state: S, movementId: string): SagaJob[];
  /**
   * The hold a failed saga must not leave behind: the one its first step
   * places, when it places one. Two processes may take that step at once,
   * and one may place the hold after the other's refusal was recorded.
   */
  holdOf?(state: S, movementId: string): { walletId: string; holdId: string } | undefined;
  /** What the movements table and `GET /movements/:id` show; undefined before the request. */
  summary(state: S): SagaSummary | undefined;
  /** The command recording a step's outcome. */
  recordStep(movementId: string, step: string, result: StepResult, at: string): C;
  /**
   * The inline run's lease, for a saga whose request carries one (an older
   * request has none, and its saga runs as before): see docs/sagas.md.
   */
  inlineLease?(state: S): InlineLease | undefined;
  /** The command recording several outcomes of an inline run in one append. */
  recordSteps?(movementId: string, outcomes: readonly StepOutcome[]): C;
  /** The command by which the driver ends the inline run once its lease is over. */
  endInlineRun?(movementId: string, at: string): C;
}

/**
 * What a stored saga event's field must be: text, an optional text, an
 * amount in minor units, a flag, or one of a few words (`oneOf`, optional
 * when `optional` is set).
 */
export type SagaFieldKind =
  | 'text'
  | 'text?'
  | 'minor'
  | 'flag'
  | { readonly oneOf: readonly string[]; readonly optional?: true };

/** The fields each event type of one saga kind must carry, checked on every decode. */
export type SagaEventShapes<E extends SagaEvent> = {
  readonly [T in E['type']]: Readonly<Record<string, SagaFieldKind>>;
};

/** A stored saga event that is not what its type says it is: a corrupt log, never a silent state. */
export class MalformedSagaEvent extends TypeError {
  override readonly name = 'MalformedSagaEvent';
}

function checkField(type: string, field: string, kind: SagaFieldKind, value: unknown): unknown {
  if (typeof kind === 'object') {
    if ((value === undefined && kind.optional) || kind.oneOf.includes(value as string))
      return value;
    throw new MalformedSagaEvent(
      `Malformed ${type}: ${field} must be one of ${kind.oneOf.join(', ')}, not ${String(value)}`,
    );
  }
  switch (kind) {
    case 'text':
      if (typeof value === 'string') return value;
      break;
    case 'text?':
      if (value === undefined || typeof value === 'string') return value;
      break;
    case 'flag':
      if (typeof value === 'boolean') return value;
      break;
    case 'minor':
      if (typeof value === 'string' || typeof value === 'bigint' || typeof value === 'number')
        try {
          return toBigInt(value);
        } catch {
          throw new MalformedSagaEvent(`Malformed ${type}: ${field} is not an exact integer`);
        }
  }
  throw new MalformedSagaEvent(
    `Malformed ${type}: ${field} must be ${KIND_NAMES[kind]}, not ${value === null ? 'null' : typeof value}`,
  );
}
const KIND_NAMES: Readonly<Record<SagaFieldKind & string, string>> = {
  text: 'a string',
  'text?': 'a string when present',
  minor: 'an integer amount',
  flag: 'a boolean',
};

/**
 * Saga events as the store keeps them. JSON has no bigint, so every field
 * whose name ends in `Minor` travels as a decimal string; event ids derive
 * from the command id, so a retried recording reproduces them. Decoding
 * checks each field its type's shape names (one loop over a handful of
 * fields, since it runs on every read) and throws `MalformedSagaEvent` on a
 * missing or mistyped one; fields the shape does not name are kept as stored.
 */
export function sagaCodec<E extends SagaEvent>(shapes: SagaEventShapes<E>) {
  const byType = new Map<string, ReadonlyArray<[string, SagaFieldKind]>>(
    Object.entries(shapes).map(([type, shape]) => [
      type,
      Object.entries(shape as Record<string, SagaFieldKind>),
    ]),
  );
  return {
    encode(
      _streamId: string,
      event: E,
      commandId: string,
      index: number,
      metadata: EventMetadata,
    ): EventData {
      const data: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(event.data))
        data[key] = typeof value === 'bigint' ? value.toString() : value;
      return {
        id: deriveId(commandId, String(index)),
        type: event.type,
        data,
        metadata: { ...metadata, commandId },
      };
    },
    decode(recorded: Pick<RecordedEvent, 'type' | 'data'>): E {
      const fields = byType.get(recorded.type);
      if (!fields) throw new MalformedSagaEvent(`Not a saga event of this kind: ${recorded.type}`);
      const stored: unknown = recorded.data;
      if (typeof stored !== 'object' || stored === null || Array.isArray(stored))
        throw new MalformedSagaEvent(`Malformed ${recorded.type}: no data`);
      const data: Record<string, unknown> = { ...(stored as Record<string, unknown>) };
      for (const [field, kind] of fields) {
        const value = checkField(recorded.type, field, kind, data[field]);
        if (value !== undefined) data[field] = value;
      }
      return { type: recorded.type, data } as E;
    },
  };
}
