import { createHash } from 'node:crypto';
import type { TerminalSaga } from '../sagas/saga-rounds';
import {
  recipientsOf,
  terminalAt,
  type MovementRecipient,
  type PartyRole,
  type TerminalStatus,
} from './movement-recipients';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The job that tells the parties of every movement a saga-driver round ended. */
export const ROUND_JOB = 'movements.notify';
/** One movement's job, as versions before the round's queued it; still run. */
export const MOVEMENT_JOB = 'movement.notify';
/** One message that failed within either. */
export const DELIVER_JOB = 'movement.deliver';
/**
 * Movements per round job: keeps its payload far below the queue's 64 KiB
 * (a completed transfer takes about 600 bytes) and a retry of it small.
 */
export const ROUND_JOB_MOVEMENTS = 50;

export interface NotifyPayload {
  readonly movement: string;
  readonly status: TerminalStatus;
}

/**
 * What the saga driver knows when it enqueues, so the job need not read the
 * saga stream again: when the movement ended and whom to tell (user ids and
 * amounts, never contact data). Absent when the driver did not have the
 * terminal event in hand; the job then reads the saga, as a job queued
 * before these fields existed does.
 */
export interface NotifyFacts {
  readonly endedAt?: string;
  /** `MovementRecipient[]` as JSON, amounts as decimal strings. */
  readonly recipients?: string;
}

/**
 * A movement within a round job: the payload a movement's own job has, with
 * the correlation id and trace its own job would have run under (those of
 * the request that began the saga); its messages log under that id.
 */
export type MovementOutcome = NotifyPayload &
  NotifyFacts & { readonly correlationId?: string; readonly traceparent?: string };

export interface RoundPayload {
  readonly movements: readonly MovementOutcome[];
}

export interface DeliverPayload extends NotifyPayload {
  readonly role: PartyRole;
  readonly channel: Channel;
}

/** `<saga>:notify:<status>`: a movement's outcome, the prefix of its messages' ids. */
export const notifyJobId = (movement: string, status: TerminalStatus): string =>
  `${movement}:notify:${status}`;

/** `<saga>:notify:<status>:<role>:<channel>`; also the message's idempotency key. */
export const deliverJobId = (p: DeliverPayload): string =>
  `${notifyJobId(p.movement, p.status)}:${p.role}:${p.channel}`;

/**
 * `notify:<sha-256 of the outcomes' ids, sorted>`: the same outcomes, in
 * whatever order the driver found them, are the same job.
 */
export function roundJobId(movements: readonly MovementOutcome[]): string {
  const outcomes = movements.map((m) => notifyJobId(m.movement, m.status)).sort();
  return `notify:${createHash('sha256').update(outcomes.join(',')).digest('hex')}`;
}

/**
 * The outcome to announce for a saga the driver advanced, or undefined when
 * another wake announces it (or did):
 * - woken by a batch of the log that holds its terminal event: the
 *   movement ended in this batch; the outcome carries its end time and
 *   recipients, so its job reads no saga, and goes in the round's job
 *   (see `inRoundJob`);
 * - woken by a batch without it (a refund, a late report, a payout paid
 *   after the end): it was announced with the batch that held its end;
 * - ended by this very advance, or found ended after its inline run's
 *   lease (the API took the last step): its terminal event is in the log
 *   ahead of the driver, and the batch that holds it announces it;
 * - a parked saga retried that had ended before: the movement's own job,
 *   which reads the saga and which the queue dedups by its id.
 */
export function outcomeOf({
  saga,
  woken,
  terminal,
  correlationId,
  traceparent,
  stepped,
}: TerminalSaga): MovementOutcome | undefined {
  const status = saga.summary?.status;
  if (status !== 'completed' && status !== 'failed') return undefined;
  const outcome = {
    movement: saga.movementId,
    status,
    ...(correlationId !== undefined && { correlationId }),
    ...(traceparent !== undefined && { traceparent }),
  };
  if (woken === 'log' && terminal)
    return {
      ...outcome,
      endedAt: terminalAt(terminal).toISOString(),
      recipients: JSON.stringify(
        recipientsOf(saga).map((r) => ({ ...r, amountMinor: r.amountMinor.toString() })),
      ),
    };
  return woken === 'retry' && !stepped ? outcome : undefined;
}

/**
 * Whether the outcome goes in a round's job: only when the batch of the log
 * that holds its terminal event hands it, which the log does once (again
 * only when that batch is read again). A parked saga's retry can come again
 * in another round, so it takes the movement's own job
 * `<saga>:notify:<status>`, whose id the queue dedups while it keeps the job.
 */
export const inRoundJob = (outcome: MovementOutcome): boolean => outcome.endedAt !== undefined;

/** What the messages of an ended movement are made of. */
export interface EndedMovement {
  readonly endedAt: Date;
  readonly recipients: readonly MovementRecipient[];
}

/**
 * The movement as the driver described it in the job, when it did. The
 * status was read from the terminal saga when it was enqueued, and a
 * terminal saga stays so.
 */
export function carried(job: NotifyFacts): EndedMovement | undefined {
  if (job.endedAt === undefined || job.recipients === undefined) return undefined;
  const endedAt = new Date(job.endedAt);
  if (Number.isNaN(endedAt.getTime())) return undefined;
  const parsed = JSON.parse(job.recipients) as (Omit<MovementRecipient, 'amountMinor'> & {
    amountMinor: string;
  })[];
  return {
    endedAt,
    recipients: parsed.map((r) => ({ ...r, amountMinor: BigInt(r.amountMinor) })),
  };
}
