import { Logger } from '@nestjs/common';
import type { Contact } from '@ledger/identity';
import {
  CORRELATION_FIELD,
  TRACE_FIELD,
  type Job,
  type JobQueue,
  type JsonValue,
} from '@ledger/jobs';
import type { MovementStreams } from '@ledger/ledger/nest';
import {
  isIncoming,
  movementCompleted,
  movementFailed,
  type MovementNotice,
  type Notifier,
} from '@ledger/notifications';
import { logCorrelation } from '@ledger/observability';
import { inParallel } from '../sagas/in-parallel';
import type { TerminalSaga } from '../sagas/saga-rounds';
import {
  endedAt,
  recipientsOf,
  type MovementRecipient,
  type TerminalStatus,
} from './movement-recipients';
import {
  carried,
  CHANNELS,
  DELIVER_JOB,
  deliverJobId,
  inRoundJob,
  MOVEMENT_JOB,
  notifyJobId,
  outcomeOf,
  ROUND_JOB,
  ROUND_JOB_MOVEMENTS,
  roundJobId,
  type DeliverPayload,
  type EndedMovement,
  type MovementOutcome,
  type NotifyPayload,
  type RoundPayload,
} from './notification-jobs';

/** The queue notification jobs go to, apart from the sagas' own. */
export const NOTIFICATIONS_QUEUE = 'notifications';
/** Movements of one job announced at once; a movement has at most four messages. */
const MOVEMENTS_IN_FLIGHT = 8;
/** Reads a user's contact details (`ContactDirectory` in production). */
export interface Contacts {
  contactOf(userId: string): Promise<Contact | undefined>;
}

export interface JobPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface MovementNotificationsOptions {
  /** A round's job: reads no saga when the driver had the facts, enqueues only what fails. */
  readonly notify?: JobPolicy;
  /** One message: backoff 5 s doubling, 10 attempts, spans about an hour and a half of outage. */
  readonly deliver?: JobPolicy;
  readonly concurrency?: number;
}

/**
 * Tells the parties of movements that they completed or failed, through jobs.
 *
 * The saga driver hands `roundEnded` the terminal sagas of each round it
 * advances; `outcomeOf` picks the wake that announces each movement. The
 * batch of the log that holds its terminal event puts it in one job
 * `notify:<hash of the outcomes>` with the batch's other ended movements
 * (at most `ROUND_JOB_MOVEMENTS`; more take more jobs): per movement its
 * status, end time and recipients (user ids and amounts). A later event on
 * the ended saga announces nothing; a parked saga retried after its end
 * goes in the movement's own job `movement.notify`, `<saga>:notify:<status>`,
 * which reads the saga and which the queue dedups by its id. A job sends
 * every message of its movements itself, reading each user's contact once;
 * only a message that fails becomes a job of its own,
 * `<saga>:notify:<status>:<role>:<channel>`, so a retry resends only that
 * message. Each message's idempotency key is that id (the e-mail's
 * Message-ID derives from it). One job per round rather than per movement
 * keeps the queue's cost per transfer down.
 *
 * Sent twice, under the same keys: the messages of a job that dies or fails
 * after sending some (a worker killed, the queue unreachable as it queues a
 * failed message), when it is run again whole, as a movement's job was; and
 * those of a batch read again after its commit failed or the driver
 * crashed, when the read splits the log differently from the first (other
 * terminal sagas beside it make another round's id). A round's enqueue
 * that fails fails the batch, which is read again: no saga is parked for
 * it, so no retry announces in another job what a round's job may have
 * announced (docs/sagas.md, "Notifications").
 *
 * Jobs carry ids only: contact details are read from identity when a
 * message is sent and appear in no payload, event or log line.
 */
export class MovementNotifications {
  private readonly logger = new Logger(MovementNotifications.name);
  private readonly notifyPolicy: JobPolicy;
  private readonly deliverPolicy: JobPolicy;
  private readonly concurrency: number;

  constructor(
    private readonly queue: Pick<JobQueue, 'enqueue' | 'process'>,
    private readonly streams: Pick<MovementStreams, 'replay'>,
    private readonly contacts: Contacts,
    private readonly notifier: Notifier,
    options: MovementNotificationsOptions = {},
  ) {
    this.notifyPolicy = options.notify ?? { attempts: 10, backoffMs: 1_000 };
    this.deliverPolicy = options.deliver ?? { attempts: 10, backoffMs: 5_000 };
    this.concurrency = options.concurrency ?? 4;
  }

  /**
   * For the saga driver: enqueues the announcements of the round's terminal
   * sagas that this wake announces (`outcomeOf`): those that ended in a
   * batch of the log in jobs of `ROUND_JOB_MOVEMENTS`, a retried one in the
   * movement's own job.
   */
  async roundEnded(ended: readonly TerminalSaga[]): Promise<void> {
    const outcomes = ended.map(outcomeOf).filter((o): o is MovementOutcome => o !== undefined);
    for (const outcome of outcomes.filter((o) => !inRoundJob(o)))
      await this.enqueue(MOVEMENT_JOB, { ...outcome }, idOf(outcome), this.notifyPolicy);
    const inRound = outcomes
      .filter(inRoundJob)
      // By code unit, as `roundJobId` sorts: the same outcomes split into the same jobs anywhere.
      .sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
    for (let from = 0; from < inRound.length; from += ROUND_JOB_MOVEMENTS) {
      const movements = inRound.slice(from, from + ROUND_JOB_MOVEMENTS);
      await this.enqueue(
        ROUND_JOB,
        { movements: movements.map((m) => ({ ...m })), ...requestOf(movements) },
        roundJobId(movements),
        this.notifyPolicy,
      );
    }
  }

  /** Runs this queue's jobs in this process. */
  async start(): Promise<void> {
    await this.queue.process(
      NOTIFICATIONS_QUEUE,
      async (job) => {
        try {
          await this.run(job);
        } catch (error) {
          if (
            job.attempt >= job.attempts ||
            (error as { retryable?: unknown }).retryable === false
          ) {
            // The job stays among the failed ones (dead letters), where an operator can retry it.
            this.logger.error(`Notification job ${job.id} failed for good (${describe(error)})`);
          }
          throw error;
        }
      },
      { concurrency: this.concurrency },
    );
  }

  /** One job; exported for tests that run jobs by hand. */
  async run(job: Pick<Job, 'name' | 'payload'>): Promise<void> {
    if (job.name === ROUND_JOB)
      return this.fanOut((job.payload as unknown as RoundPayload).movements);
    if (job.name === MOVEMENT_JOB) return this.fanOut([job.payload as unknown as MovementOutcome]);
    if (job.name === DELIVER_JOB) return this.deliver(job.payload as unknown as DeliverPayload);
    throw Object.assign(new Error(`Unknown notification job ${job.name}`), { retryable: false });
  }

  /**
   * Sends every message of the movements from this one job,
   * `MOVEMENTS_IN_FLIGHT` movements at a time, reading each user's contact
   * once (and a saga only when the job does not carry it).
   */
  private async fanOut(outcomes: readonly MovementOutcome[]): Promise<void> {
    const contacts = contactsOnce(this.contacts);
    await inParallel(outcomes, MOVEMENTS_IN_FLIGHT, (outcome) => {
      const work = () => this.announce(outcome, contacts);
      // Its log lines, and the jobs of its failed messages, carry its request's id.
      const id = outcome.correlationId;
      return id === undefined || id === logCorrelation.current()
        ? work()
        : logCorrelation.run(id, work);
    });
  }

  /**
   * Sends the movement's messages. A message that fails becomes a job of its
   * own, retried with the delivery policy, so a retry resends only that one.
   */
  private async announce(outcome: MovementOutcome, contacts: Contacts): Promise<void> {
    const movement = carried(outcome) ?? (await this.terminal(outcome));
    if (!movement) return;
    const { movement: movementId, status } = outcome;
    await Promise.all(
      movement.recipients.flatMap((recipient) =>
        CHANNELS.map(async (channel) => {
          const payload: DeliverPayload = {
            movement: movementId,
            status,
            role: recipient.role,
            channel,
          };
          try {
            await this.send(movement.endedAt, recipient, payload, contacts);
          } catch (error) {
            this.logger.warn(
              `${deliverJobId(payload)} failed (${describe(error)}); queued to retry`,
            );
            await this.enqueue(
              DELIVER_JOB,
              { ...payload },
              deliverJobId(payload),
              this.deliverPolicy,
            );
          }
        }),
      ),
    );
  }

  /** One message, retried on its own after it failed within its movement's job. */
  private async deliver(job: DeliverPayload): Promise<void> {
    const movement = await this.terminal(job);
    const recipient = movement?.recipients.find((r) => r.role === job.role);
    if (!movement || !recipient) return;
    await this.send(movement.endedAt, recipient, job, this.contacts);
  }

  private async send(
    occurredAt: Date,
    recipient: MovementRecipient,
    job: DeliverPayload,
    contacts: Contacts,
  ): Promise<void> {
    const contact = await contacts.contactOf(recipient.userId);
    if (!contact) {
      // Retrying would not make a contact appear (a system party, a removed user).
      this.logger.warn(
        `No contact for the ${job.role} of ${job.movement}: ${job.channel} notification skipped`,
      );
      return;
    }
    if (job.channel === 'sms' && !contact.phone) return;
    const counterparty =
      recipient.counterpartyId && (await contacts.contactOf(recipient.counterpartyId))?.name;
    const notice = {
      kind: recipient.kind,
      movementId: job.movement,
      amountMinor: recipient.amountMinor,
      currency: recipient.currency,
      ...(counterparty && { counterparty }),
      occurredAt,
    };
    const message = render(job.status, notice, recipient.reason);
    if (!message) return;
    const idempotencyKey = deliverJobId(job);
    if (job.channel === 'email') {
      await this.notifier.sendEmail({
        to: contact.email,
        subject: message.subject,
        text: message.text,
        idempotencyKey,
      });
    } else {
      await this.notifier.sendSms({ to: contact.phone!, text: message.sms, idempotencyKey });
    }
  }

  /** The saga, when it really ended with the job's status; a job for anything else has nothing to send. */
  private async terminal(job: NotifyPayload): Promise<EndedMovement | undefined> {
    const saga = await this.streams.replay(job.movement);
    if (saga?.summary?.status === job.status)
      return { endedAt: endedAt(saga.events), recipients: recipientsOf(saga) };
    this.logger.warn(
      `Notification for ${job.movement} (${job.status}) skipped: the movement is ${saga?.summary?.status ?? 'unknown'}`,
    );
    return undefined;
  }

  private async enqueue(
    name: string,
    payload: JsonValue,
    jobId: string,
    policy: JobPolicy,
  ): Promise<void> {
    await this.queue.enqueue(NOTIFICATIONS_QUEUE, name, payload, {
      jobId,
      attempts: policy.attempts,
      backoff: { type: 'exponential', baseMs: policy.backoffMs },
    });
  }
}

/**
 * A job of one request's movements (often a single one) runs under its
 * correlation id and in its trace, as a movement's own job did; a job of
 * several requests' has neither, and each movement logs under its own id.
 */
function requestOf(movements: readonly MovementOutcome[]): { [field: string]: string } {
  const [first] = movements;
  const one = movements.every(
    (m) => m.correlationId === first?.correlationId && m.traceparent === first?.traceparent,
  );
  return {
    ...(one && first?.correlationId !== undefined && { [CORRELATION_FIELD]: first.correlationId }),
    ...(one && first?.traceparent !== undefined && { [TRACE_FIELD]: first.traceparent }),
  };
}

/** `<saga>:notify:<status>`: the outcome a job announces. */
function idOf(outcome: MovementOutcome): string {
  return notifyJobId(outcome.movement, outcome.status);
}

/**
 * The message for a movement's outcome. A failed incoming transfer has none:
 * `recipientsOf` names no recipient for it, and a job queued for one before
 * that rule sends nothing.
 */
function render(status: TerminalStatus, notice: MovementNotice, reason: string | undefined) {
  if (status === 'completed') return movementCompleted(notice);
  const kind = notice.kind;
  if (isIncoming(kind)) return undefined;
  return movementFailed({ ...notice, kind, reason: reason ?? 'unspecified' });
}

/** Reads each user's contact at most once per job: its messages share their parties. */
function contactsOnce(contacts: Contacts): Contacts {
  const read = new Map<string, Promise<Contact | undefined>>();
  return {
    contactOf(userId) {
      let contact = read.get(userId);
      if (!contact) read.set(userId, (contact = contacts.contactOf(userId)));
      return contact;
    },
  };
}

/** An error's name only: an SMTP refusal's text may quote the recipient's address. */
function describe(error: unknown): string {
  return error instanceof Error ? error.name : 'a non-error';
}
