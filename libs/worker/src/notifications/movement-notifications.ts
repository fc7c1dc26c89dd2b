import { Logger } from '@nestjs/common';
import type { RecordedEvent } from '@ledger/event-store';
import type { Contact } from '@ledger/identity';
import type { Job, JobQueue } from '@ledger/jobs';
import type { MovementStreams, SagaState } from '@ledger/ledger/nest';
import {
  isIncoming,
  movementCompleted,
  movementFailed,
  type MovementNotice,
  type Notifier,
} from '@ledger/notifications';
import {
  endedAt,
  isTerminalEvent,
  recipientsOf,
  terminalAt,
  type MovementRecipient,
  type PartyRole,
  type TerminalStatus,
} from './movement-recipients';

/** The queue notification jobs go to, apart from the sagas' own. */
export const NOTIFICATIONS_QUEUE = 'notifications';
const CHANNELS = ['email', 'sms'] as const;
type Channel = (typeof CHANNELS)[number];

/** Reads a user's contact details (`ContactDirectory` in production). */
export interface Contacts {
  contactOf(userId: string): Promise<Contact | undefined>;
}

interface NotifyPayload {
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
interface NotifyFacts {
  readonly endedAt?: string;
  /** `MovementRecipient[]` as JSON, amounts as decimal strings. */
  readonly recipients?: string;
}

interface DeliverPayload extends NotifyPayload {
  readonly role: PartyRole;
  readonly channel: Channel;
}

export interface JobPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface MovementNotificationsOptions {
  /** Fanning out only reads the saga and enqueues. */
  readonly notify?: JobPolicy;
  /** One message: backoff 5 s doubling, 10 attempts, spans about an hour and a half of outage. */
  readonly deliver?: JobPolicy;
  readonly concurrency?: number;
}

/** `<saga>:notify:<status>`: one per movement and outcome, whoever enqueues it and however often. */
export const notifyJobId = (movement: string, status: TerminalStatus): string =>
  `${movement}:notify:${status}`;

/** `<saga>:notify:<status>:<role>:<channel>`; also the message's idempotency key. */
export const deliverJobId = (p: DeliverPayload): string =>
  `${notifyJobId(p.movement, p.status)}:${p.role}:${p.channel}`;

/**
 * Tells the parties of a movement that it completed or failed, through jobs.
 *
 * The saga driver calls `movementEnded` each time it advances a terminal
 * saga (again after a redelivery, a retry or a restart); the job id
 * `<saga>:notify:<status>` makes all but the first enqueue a no-op. That job
 * sends every message itself (one saga read, one contact read per party);
 * only a message that fails becomes a job of its own,
 * `<saga>:notify:<status>:<role>:<channel>`, so a retry resends only that
 * message. Each message's idempotency key is that id (the e-mail's
 * Message-ID derives from it). One job per movement rather than one per
 * message keeps the queue's cost per transfer down.
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
    private readonly queue: JobQueue,
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
   * For the saga driver: enqueues the movement's notification once it is
   * terminal; otherwise nothing. `cause`, the event that woke the driver,
   * when it is the saga's terminal event, gives the end time, so the job
   * carries all it needs and reads no saga. Without a cause (a parked saga
   * retried, the resume at start) or with another one, the job reads the saga.
   */
  async movementEnded(saga: SagaState, cause?: RecordedEvent): Promise<void> {
    const status = saga.summary?.status;
    if (status !== 'completed' && status !== 'failed') return;
    // Woken by an earlier event of the saga than its last (the driver took
    // the remaining steps itself, or the API was taking them inline): those
    // later events are in the log after the cause, so they wake the driver
    // again, and the wake by the terminal event enqueues the job with its time.
    if (
      cause?.streamId === saga.stream &&
      saga.revision !== undefined &&
      cause.revision < saga.revision
    )
      return;
    const facts: NotifyFacts =
      cause && cause.streamId === saga.stream && isTerminalEvent(cause)
        ? { endedAt: terminalAt(cause).toISOString(), recipients: encodeRecipients(saga) }
        : {};
    const payload: NotifyPayload & NotifyFacts = { movement: saga.stream, status, ...facts };
    await this.enqueue(
      'movement.notify',
      { ...payload },
      notifyJobId(saga.stream, status),
      this.notifyPolicy,
    );
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
    if (job.name === 'movement.notify') return this.fanOut(job.payload as unknown as NotifyPayload);
    if (job.name === 'movement.deliver')
      return this.deliver(job.payload as unknown as DeliverPayload);
    throw Object.assign(new Error(`Unknown notification job ${job.name}`), { retryable: false });
  }

  /**
   * Sends every message of the movement from this one job, reading the saga
   * and each party's contact once. A message that fails becomes a job of its
   * own, retried with the delivery policy, so a retry resends only that one.
   */
  private async fanOut(job: NotifyPayload & NotifyFacts): Promise<void> {
    const movement = job.endedAt && job.recipients ? carried(job) : await this.terminal(job);
    if (!movement) return;
    const contacts = contactsOnce(this.contacts);
    const base: NotifyPayload = { movement: job.movement, status: job.status };
    const messages = movement.recipients.flatMap((recipient) =>
      CHANNELS.map((channel) => ({
        recipient,
        payload: { ...base, role: recipient.role, channel },
      })),
    );
    await Promise.all(
      messages.map(async ({ recipient, payload }) => {
        try {
          await this.send(movement.endedAt, recipient, payload, contacts);
        } catch (error) {
          this.logger.warn(`${deliverJobId(payload)} failed (${describe(error)}); queued to retry`);
          await this.enqueue(
            'movement.deliver',
            { ...payload },
            deliverJobId(payload),
            this.deliverPolicy,
          );
        }
      }),
    );
  }

  /** One message, retried on its own after it failed within the movement's job. */
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
    payload: { [key: string]: string },
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

/** What the messages of an ended movement are made of. */
interface EndedMovement {
  readonly endedAt: Date;
  readonly recipients: readonly MovementRecipient[];
}

function encodeRecipients(saga: SagaState): string {
  return JSON.stringify(
    recipientsOf(saga).map((r) => ({ ...r, amountMinor: r.amountMinor.toString() })),
  );
}

/**
 * The movement as the driver described it in the job. The status was read
 * from the terminal saga when it was enqueued, and a terminal saga stays so.
 */
function carried(job: NotifyFacts): EndedMovement | undefined {
  const endedAt = new Date(job.endedAt ?? '');
  if (Number.isNaN(endedAt.getTime()) || job.recipients === undefined) return undefined;
  const parsed = JSON.parse(job.recipients) as (Omit<MovementRecipient, 'amountMinor'> & {
    amountMinor: string;
  })[];
  return {
    endedAt,
    recipients: parsed.map((r) => ({ ...r, amountMinor: BigInt(r.amountMinor) })),
  };
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

/** Reads each user's contact at most once: a movement's messages share their parties. */
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
