import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import {
  NOTIFICATION_LIMITS,
  NotificationDeliveryError,
  type Delivery,
  type EmailMessage,
  type Notifier,
  type SmsMessage,
  type SmsSender,
} from './notifier.port';

export interface NodemailerNotifierOptions {
  /**
   * An SMTP transport in production. Without one nothing is sent: the
   * message is not composed as MIME at all, only kept in the outbox (when
   * there is one) as a JSON line of its fields.
   */
  readonly transport?: Transporter;
  /** `Name <address>` of the sender. */
  readonly from: string;
  readonly sms: SmsSender;
  /**
   * Log that a message was not sent instead of staying quiet (the JSON
   * transport sends nothing). The line names the Message-ID only: addresses,
   * names and codes stay out of the logs.
   */
  readonly logMessages?: boolean;
  /**
   * Development only: where an unsent e-mail is written whole (one JSON line
   * per message in `messages.ndjson`), so a developer without SMTP can read
   * its codes and links while the log itself stays free of addresses and codes.
   */
  readonly outboxDir?: string;
}

/** The outbox's one file: messages kept at the same time share one append. */
export const OUTBOX_FILE = 'messages.ndjson';

/** `Notifier` with e-mail through nodemailer and SMS through an `SmsSender`. */
export class NodemailerNotifier implements Notifier {
  private readonly logger = new Logger(NodemailerNotifier.name);
  private readonly domain: string;
  /** The outbox folder is created once, by the first message kept in it. */
  private outboxReady?: Promise<unknown>;

  constructor(private readonly options: NodemailerNotifierOptions) {
    this.domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'localhost';
  }

  async sendEmail(message: EmailMessage): Promise<Delivery> {
    checkEmail(message);
    const messageId = `<${digest(message.idempotencyKey)}@${this.domain}>`;
    const transport = this.options.transport;
    let sent = messageId;
    let rendered: string | undefined;
    if (transport) {
      let info: { messageId?: string; message?: unknown };
      try {
        info = await transport.sendMail({
          from: this.options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId,
        });
      } catch (error) {
        throw deliveryError(error);
      }
      sent = info.messageId ?? messageId;
      rendered = info.message === undefined ? undefined : String(info.message);
    } else if (this.options.outboxDir) {
      rendered = JSON.stringify({
        messageId,
        date: new Date().toISOString(),
        from: this.options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    }
    const kept = rendered === undefined ? undefined : await this.keepInOutbox(rendered);
    if (this.options.logMessages)
      this.logger.log(`E-mail ${sent} not sent (no SMTP_URL)${kept ? `: written to ${kept}` : ''}`);
    return { channel: 'email', messageId: sent };
  }

  private outboxQueue: Array<{ line: string; done: (error?: unknown) => void }> = [];
  private outboxWriting = false;

  /**
   * Appends the rendered message to the outbox file, when there is an outbox;
   * returns the file's path. Messages kept while a write is in flight go out
   * together in the next one: one open and write per batch, not per message.
   */
  private async keepInOutbox(rendered: string): Promise<string | undefined> {
    const dir = this.options.outboxDir;
    if (!dir) return undefined;
    const line = rendered.replace(/\n/g, ' ');
    await new Promise<void>((resolve, reject) => {
      // The reason is what the file write threw, passed on unchanged.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      this.outboxQueue.push({ line, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.outboxWriting) void this.drainOutbox(dir);
    });
    return join(dir, OUTBOX_FILE);
  }

  private async drainOutbox(dir: string): Promise<void> {
    this.outboxWriting = true;
    while (this.outboxQueue.length > 0) {
      const batch = this.outboxQueue.splice(0, OUTBOX_MAX_BATCH);
      try {
        this.outboxReady ??= mkdir(dir, { recursive: true, mode: 0o700 });
        await this.outboxReady.catch((error: unknown) => {
          this.outboxReady = undefined;
          throw error;
        });
        const text = batch.map((m) => `${m.line}\n`).join('');
        await appendFile(join(dir, OUTBOX_FILE), text, { mode: 0o600 });
        for (const m of batch) m.done();
      } catch (error) {
        for (const m of batch) m.done(error);
      }
    }
    this.outboxWriting = false;
  }

  /** Nest calls this on shutdown: the SMTP pool's connections close instead of holding the process. */
  onApplicationShutdown(): void {
    this.options.transport?.close();
  }

  async sendSms(message: SmsMessage): Promise<Delivery> {
    checkSms(message);
    const { messageId } = await this.options.sms.send(message);
    return { channel: 'sms', messageId };
  }
}

/**
 * The default SMS adapter: sends nothing and logs the message's id, never the
 * number or the text (which may carry a name or a code).
 */
export class LogSmsSender implements SmsSender {
  private readonly logger = new Logger(LogSmsSender.name);

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    const messageId = `sms-${digest(message.idempotencyKey)}`;
    this.logger.log(`SMS ${messageId} not sent (log adapter)`);
    return { messageId };
  }
}

/**
 * SMTP says which refusals are final: 5xx (no such mailbox, rejected) will
 * fail again; 4xx, connection and timeout errors may pass later.
 */
function deliveryError(error: unknown): NotificationDeliveryError {
  const code = (error as { responseCode?: unknown }).responseCode;
  const permanent = typeof code === 'number' && code >= 500 && code < 600;
  // An SMTP refusal often quotes the recipient ("550 <ada@example.com>: no such user");
  // the error travels to job records and logs, so the address is cut out of it and the
  // original is not kept as the cause.
  const reason = (error instanceof Error ? error.message : String(error))
    .replace(ADDRESS, '<address>')
    .slice(0, 200);
  return new NotificationDeliveryError('email', !permanent, `E-mail not delivered: ${reason}`);
}

/** Most messages in one append to the outbox. */
const OUTBOX_MAX_BATCH = 500;

const ADDRESS = /[^\s@<>"',;:]+@[^\s@<>"',;:]+/g;

function checkEmail(message: EmailMessage): void {
  // A newline in a header field would let a value add headers of its own.
  if (
    !/^[^\s@<>]+@[^\s@<>]+$/.test(message.to) ||
    message.to.length > NOTIFICATION_LIMITS.addressLength
  ) {
    throw new NotificationDeliveryError('email', false, 'Recipient is not a single e-mail address');
  }
  if (
    /[\r\n]/.test(message.subject) ||
    message.subject.length > NOTIFICATION_LIMITS.subjectLength
  ) {
    throw new NotificationDeliveryError(
      'email',
      false,
      `Subject must be one line of at most ${NOTIFICATION_LIMITS.subjectLength} characters`,
    );
  }
  if (message.text.length > NOTIFICATION_LIMITS.emailTextLength) {
    throw new NotificationDeliveryError(
      'email',
      false,
      `Text exceeds ${NOTIFICATION_LIMITS.emailTextLength} characters`,
    );
  }
}

function checkSms(message: SmsMessage): void {
  if (!/^\+[1-9]\d{6,14}$/.test(message.to)) {
    throw new NotificationDeliveryError('sms', false, 'Recipient is not an E.164 phone number');
  }
  if (message.text.length > NOTIFICATION_LIMITS.smsLength) {
    throw new NotificationDeliveryError(
      'sms',
      false,
      `SMS exceeds ${NOTIFICATION_LIMITS.smsLength} characters`,
    );
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
