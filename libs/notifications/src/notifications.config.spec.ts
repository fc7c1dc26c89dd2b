import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { renderCodeMessage } from './code-messages';
import { readNotificationsConfig } from './notifications.config';
import { createNotifier, NotificationsModule } from './notifications.module';
import { NodemailerNotifier, OUTBOX_FILE } from './nodemailer.notifier';
import { NOTIFIER } from './tokens';

describe('readNotificationsConfig', () => {
  it('logs instead of sending when SMTP_URL is unset', () => {
    expect(readNotificationsConfig({})).toEqual({
      smtpUrl: undefined,
      mailFrom: 'Ledger <no-reply@ledger.local>',
      smsSender: 'log',
    });
  });

  it('refuses an SMTP_URL of another scheme and a MAIL_FROM with a newline', () => {
    expect(() => readNotificationsConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
    expect(() => readNotificationsConfig({ MAIL_FROM: 'a@b.c\nBcc: x@y.z' })).toThrow(/MAIL_FROM/);
  });

  it('provides NOTIFIER', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [NotificationsModule.forRoot({})],
    }).compile();
    expect(moduleRef.get(NOTIFIER)).toBeInstanceOf(NodemailerNotifier);
    await moduleRef.close();
  });

  it('keeps unsent e-mails in an outbox in development only, and never logs their codes or addresses', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const outbox = join(mkdtempSync(join(tmpdir(), 'outbox-')), 'outbox');
    try {
      const message = {
        to: 'ada@example.com',
        ...renderCodeMessage('reset_password', '04817263', 15),
        idempotencyKey: 'email-code:1',
      };
      await createNotifier(readNotificationsConfig({}), true, outbox).sendEmail(message);
      expect(log).not.toHaveBeenCalled();
      expect(existsSync(outbox)).toBe(false);
      await createNotifier(readNotificationsConfig({}), false, outbox).sendEmail(message);
      const line = String(log.mock.calls[0]?.[0]);
      expect(line).toContain(outbox);
      expect(line).not.toContain('04817263');
      expect(line).not.toContain('ada@example.com');
      expect(readdirSync(outbox)).toEqual([OUTBOX_FILE]);
      const kept = JSON.parse(readFileSync(join(outbox, OUTBOX_FILE), 'utf8')) as unknown;
      expect(kept).toMatchObject({ to: 'ada@example.com', subject: message.subject });
      expect(JSON.stringify(kept)).toContain('04817263');
    } finally {
      log.mockRestore();
    }
  });
});
