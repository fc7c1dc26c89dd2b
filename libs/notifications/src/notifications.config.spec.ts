import { Test } from '@nestjs/testing';
import { readNotificationsConfig } from './notifications.config';
import { NotificationsModule } from './notifications.module';
import { NodemailerNotifier } from './nodemailer.notifier';
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
});
