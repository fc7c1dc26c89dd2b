import { join } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { isProduction, setting, type Env } from '@ledger/config';
import { createTransport } from 'nodemailer';
import { LogSmsSender, NodemailerNotifier } from './nodemailer.notifier';
import type { Notifier } from './notifier.port';
import { readNotificationsConfig, type NotificationsConfig } from './notifications.config';
import { NOTIFIER } from './tokens';

/**
 * Without SMTP, development writes each message to an outbox folder so its
 * links and codes can be read, and logs only where; production does neither,
 * since the messages carry addresses and one-time codes.
 */
export function createNotifier(
  config: NotificationsConfig,
  production = false,
  outboxDir?: string,
): Notifier {
  const sms = new LogSmsSender();
  if (config.smtpUrl) {
    return new NodemailerNotifier({
      // One pool of SMTP connections, reused by every message, instead of a
      // connection (and TLS handshake) per message; `?pool=false` in the URL turns it off.
      transport: createTransport({ url: config.smtpUrl, pool: true }),
      from: config.mailFrom,
      sms,
    });
  }
  // Without SMTP nothing is sent, so nothing is composed as MIME: development
  // keeps each message's fields in the outbox, production only checks them.
  return new NodemailerNotifier({
    from: config.mailFrom,
    sms,
    logMessages: !production,
    ...(!production && outboxDir && { outboxDir }),
  });
}

/** Provides `NOTIFIER`: SMTP when SMTP_URL is set, logged messages otherwise. */
@Module({})
export class NotificationsModule {
  static forRoot(env: Env = process.env): DynamicModule {
    const config = readNotificationsConfig(env);
    if (!config.smtpUrl && isProduction(env)) {
      new Logger(NotificationsModule.name).warn(
        'SMTP_URL is not set: e-mails are neither sent nor logged',
      );
    }
    return {
      module: NotificationsModule,
      global: true,
      providers: [
        {
          provide: NOTIFIER,
          useFactory: () =>
            createNotifier(
              config,
              isProduction(env),
              join(setting(env, 'LEDGER_DATA_DIR'), 'outbox'),
            ),
        },
      ],
      exports: [NOTIFIER],
    };
  }
}
