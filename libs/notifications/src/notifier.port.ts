/**
 * Tells a user what happened to their money. Sagas send notifications from
 * jobs, one job per message and channel, keyed like every other side effect
 * (`topup-42:notify-email`), so a retry resends at most the one message that
 * failed.
 *
 * Both methods throw `NotificationDeliveryError`: `retryable` true for a
 * temporary refusal or outage (the job retries), false for an address that
 * can never receive (the job fails at once).
 */
export interface Notifier {
  sendEmail(message: EmailMessage): Promise<Delivery>;
  sendSms(message: SmsMessage): Promise<Delivery>;
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /**
   * Becomes the Message-ID, so a resent copy carries the same id and mail
   * systems that deduplicate by it show the message once.
   */
  readonly idempotencyKey: string;
}

export interface SmsMessage {
  /** E.164, e.g. +447700900123. */
  readonly to: string;
  readonly text: string;
  readonly idempotencyKey: string;
}

export interface Delivery {
  readonly channel: 'email' | 'sms';
  readonly messageId: string;
}

/** Sends SMS; the default adapter only logs. */
export interface SmsSender {
  send(message: SmsMessage): Promise<{ messageId: string }>;
}

export const NOTIFICATION_LIMITS = {
  subjectLength: 200,
  emailTextLength: 20_000,
  smsLength: 480,
  addressLength: 320,
} as const;

export class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';

  constructor(
    readonly channel: 'email' | 'sms',
    /** Read by the job queue: false fails the job without further attempts. */
    readonly retryable: boolean,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
