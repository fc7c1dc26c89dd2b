import { ConfigError, readEnum, readOptional, readString, type Env } from '@ledger/config';

export interface NotificationsConfig {
  /** Unset: messages are rendered and logged, not sent. */
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly smsSender: 'log';
}

export function readNotificationsConfig(env: Env): NotificationsConfig {
  const smtpUrl = readOptional(env, 'SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    throw new ConfigError('SMTP_URL must start with smtp:// or smtps://');
  const mailFrom = readString(env, 'MAIL_FROM', 'Ledger <no-reply@ledger.local>');
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom))
    throw new ConfigError('MAIL_FROM must be one address, e.g. "Ledger <no-reply@example.com>"');
  return { smtpUrl, mailFrom, smsSender: readEnum(env, 'SMS_SENDER', ['log'] as const, 'log') };
}
