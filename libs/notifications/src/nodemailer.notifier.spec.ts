import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { movementCompleted } from './movement-messages';
import { LogSmsSender, NodemailerNotifier, OUTBOX_FILE } from './nodemailer.notifier';
import { NotificationDeliveryError, type SmsMessage, type SmsSender } from './notifier.port';

function streamNotifier(sms: SmsSender = new LogSmsSender()) {
  // The stream transport renders the full RFC 5322 message into a buffer and sends nothing.
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const send = jest.spyOn(transport, 'sendMail');
  const notifier = new NodemailerNotifier({
    transport,
    from: 'Ledger <no-reply@ledger.example>',
    sms,
  });
  const raw = async (call = 0) =>
    ((await send.mock.results[call]?.value) as { message: Buffer }).message.toString();
  return { notifier, raw };
}

const rendered = movementCompleted({
  kind: 'top_up',
  movementId: 'topup-42',
  amountMinor: 2_500n,
  currency: 'GBP',
  occurredAt: new Date('2026-03-01T09:30:00Z'),
});

describe('NodemailerNotifier', () => {
  it('sends the rendered movement e-mail with a Message-ID derived from the key', async () => {
    const { notifier, raw } = streamNotifier();
    const delivery = await notifier.sendEmail({
      to: 'ada@example.com',
      subject: rendered.subject,
      text: rendered.text,
      idempotencyKey: 'topup-42:notify-email',
    });
    const message = await raw();
    expect(message).toContain('From: Ledger <no-reply@ledger.example>');
    expect(message).toContain('To: ada@example.com');
    // The pound sign travels quoted-printable: =C2=A3 is "£" in UTF-8.
    expect(message).toContain('Subject: =?UTF-8?Q?Your_top-up_of_=C2=A325=2E00_is_complete?=');
    expect(message).toContain('Your top-up of =C2=A325.00 has arrived in your wallet.');
    expect(message).toContain('Reference: topup-42');
    expect(delivery).toEqual({
      channel: 'email',
      messageId: expect.stringMatching(/^<[0-9a-f]{32}@ledger\.example>$/),
    });
    expect(message).toContain(`Message-ID: ${delivery.messageId}`);

    const again = await notifier.sendEmail({
      to: 'ada@example.com',
      subject: rendered.subject,
      text: rendered.text,
      idempotencyKey: 'topup-42:notify-email',
    });
    expect(again.messageId).toBe(delivery.messageId);
  });

  it('logs through the JSON transport when no SMTP is configured', async () => {
    const transport = createTransport({ jsonTransport: true });
    const send = jest.spyOn(transport, 'sendMail');
    const notifier = new NodemailerNotifier({
      transport,
      from: 'no-reply@ledger.example',
      sms: new LogSmsSender(),
      logMessages: true,
    });
    await notifier.sendEmail({
      to: 'bob@example.com',
      subject: 'Hello',
      text: 'Plain body',
      idempotencyKey: 'k-1',
    });
    const json = JSON.parse(((await send.mock.results[0]?.value) as { message: string }).message);
    expect(json).toMatchObject({
      subject: 'Hello',
      text: 'Plain body',
      to: [{ address: 'bob@example.com' }],
    });
  });

  it('without a transport keeps each message whole in the outbox, one JSON line each', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'outbox-')), 'outbox');
    const notifier = new NodemailerNotifier({
      from: 'Ledger <no-reply@ledger.example>',
      sms: new LogSmsSender(),
      outboxDir: dir,
    });
    const deliveries = await Promise.all(
      [1, 2, 3].map((i) =>
        notifier.sendEmail({
          to: `user${i}@example.com`,
          subject: `Hello ${i}`,
          text: `Line one\nline two of ${i}`,
          idempotencyKey: `k-${i}`,
        }),
      ),
    );
    const lines = readFileSync(join(dir, OUTBOX_FILE), 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(
      [1, 2, 3].map((i) =>
        expect.objectContaining({
          messageId: deliveries[i - 1]?.messageId,
          from: 'Ledger <no-reply@ledger.example>',
          to: `user${i}@example.com`,
          subject: `Hello ${i}`,
          text: `Line one\nline two of ${i}`,
        }),
      ),
    );
  });

  it('refuses header injection and oversized messages as permanent', async () => {
    const { notifier } = streamNotifier();
    const bad = [
      { to: 'a@example.com\nBcc: x@example.com', subject: 's', text: 't' },
      { to: 'a@example.com', subject: 'line\r\nBcc: x@example.com', text: 't' },
      { to: 'a@example.com', subject: 's', text: 'x'.repeat(20_001) },
    ];
    for (const message of bad) {
      await expect(notifier.sendEmail({ ...message, idempotencyKey: 'k' })).rejects.toMatchObject({
        retryable: false,
      });
    }
  });

  it('tells a final SMTP refusal from a temporary one', async () => {
    const failing = (responseCode: number) => {
      const transport = createTransport({ jsonTransport: true });
      jest
        .spyOn(transport, 'sendMail')
        .mockRejectedValue(
          Object.assign(new Error(`SMTP ${responseCode}`), { responseCode }) as never,
        );
      return new NodemailerNotifier({
        transport,
        from: 'no-reply@ledger.example',
        sms: new LogSmsSender(),
      });
    };
    const message = { to: 'a@example.com', subject: 's', text: 't', idempotencyKey: 'k' };
    await expect(failing(550).sendEmail(message)).rejects.toMatchObject({
      name: 'NotificationDeliveryError',
      retryable: false,
    });
    await expect(failing(421).sendEmail(message)).rejects.toMatchObject({ retryable: true });
  });

  it('sends SMS through the SMS port, checking the number', async () => {
    const sent: SmsMessage[] = [];
    const { notifier } = streamNotifier({
      send: async (m) => (sent.push(m), { messageId: 'sms-1' }),
    });
    const sms = { to: '+447700900123', text: rendered.sms, idempotencyKey: 'topup-42:notify-sms' };
    expect(await notifier.sendSms(sms)).toEqual({ channel: 'sms', messageId: 'sms-1' });
    expect(sent).toEqual([sms]);
    await expect(notifier.sendSms({ ...sms, to: '07700 900123' })).rejects.toBeInstanceOf(
      NotificationDeliveryError,
    );
  });

  it('keeps addresses, numbers and message texts out of its log lines and errors', async () => {
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
      jest
        .spyOn(Logger.prototype, level)
        .mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    try {
      const logging = new NodemailerNotifier({
        transport: createTransport({ jsonTransport: true }),
        from: 'no-reply@ledger.example',
        sms: new LogSmsSender(),
        logMessages: true,
      });
      const text = 'You received €5.00 from Ada Lovelace.';
      const email = await logging.sendEmail({
        to: 'ada@example.com',
        subject: 'Your incoming transfer',
        text,
        idempotencyKey: 'transfer-1:notify:completed:recipient:email',
      });
      await logging.sendSms({ to: '+447700900123', text, idempotencyKey: 'transfer-1:sms' });

      const refusing = createTransport({ jsonTransport: true });
      const refusal = '550 5.1.1 <ada@example.com>: Recipient address rejected';
      jest
        .spyOn(refusing, 'sendMail')
        .mockRejectedValue(Object.assign(new Error(refusal), { responseCode: 550 }) as never);
      const failed = await new NodemailerNotifier({
        transport: refusing,
        from: 'no-reply@ledger.example',
        sms: new LogSmsSender(),
      })
        .sendEmail({ to: 'ada@example.com', subject: 's', text: 't', idempotencyKey: 'k' })
        .catch((error: Error) => error);

      // The lines are there, and say which message they are about.
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain(email.messageId);
      expect((failed as Error).message).toBe(
        'E-mail not delivered: 550 5.1.1 <<address>>: Recipient address rejected',
      );
      expect((failed as Error).cause).toBeUndefined();
      for (const value of ['ada@example.com', '+447700900123', 'Ada Lovelace', text])
        expect([...lines, (failed as Error).message].join('\n')).not.toContain(value);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('logs SMS by default and returns a stable id', async () => {
    const sender = new LogSmsSender();
    const first = await sender.send({ to: '+15550100', text: 'hi', idempotencyKey: 'k-2' });
    expect(await sender.send({ to: '+15550100', text: 'hi', idempotencyKey: 'k-2' })).toEqual(
      first,
    );
  });
});
