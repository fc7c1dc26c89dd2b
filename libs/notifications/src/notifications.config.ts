import { ConfigError, setting, type Env } from '@ledger/config';

export interface NotificationsConfig {
  /** Unset: messages are rendered and logged, not sent. */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly smsSender: 'log';
}

export function readNotificationsConfig(env: Env): NotificationsConfig {
  const smtpUrl = setting(env, 'SMTP_URL');
  const mailFrom = setting(env, 'MAIL_FROM');
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom))
    throw new ConfigError('MAIL_FROM must be one address, e.g. "Ledger <no-reply@example.com>"');
  return { smtpUrl, mailFrom, smsSender: setting(env, 'SMS_SENDER') };
}
