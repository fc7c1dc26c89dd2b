import {
  formatMoney,
  isIncoming,
  movementCompleted,
  movementFailed,
  type MovementNotice,
} from './movement-messages';

const notice: MovementNotice = {
  kind: 'transfer_received',
  movementId: 'transfer-7f3a',
  amountMinor: 123_456n,
  currency: 'EUR',
  counterparty: 'Ada Lovelace',
  occurredAt: new Date('2026-03-01T09:30:00Z'),
};

describe('formatMoney', () => {
  it.each([
    [1234n, 'EUR', '€12.34'],
    [5n, 'USD', 'US$0.05'],
    [1000n, 'JPY', 'JP¥1,000'],
    [1500n, 'KWD', 'KWD 1.500'],
    // Beyond 2^53: the digits survive exactly because no float is involved.
    [9_007_199_254_740_993n, 'USD', 'US$90,071,992,547,409.93'],
  ])('%s %s → %s', (amount, currency, expected) => {
    expect(formatMoney(amount, currency).replace(/\u00a0/g, ' ')).toBe(expected);
  });
});

describe('movement messages', () => {
  it('renders a completed incoming transfer', () => {
    const message = movementCompleted(notice);
    expect(message.subject).toBe('Your incoming transfer of €1,234.56 is complete');
    expect(message.sms).toBe('You received €1,234.56 from Ada Lovelace.');
    expect(message.text).toContain('Reference: transfer-7f3a');
    expect(message.text).toContain('Date: 2026-03-01T09:30:00.000Z');
  });

  it.each<[MovementNotice['kind'], string, string]>([
    [
      'payment_sent',
      'Your payment of €1,234.56 is complete',
      'You paid €1,234.56 to Ada Lovelace.',
    ],
    [
      'payment_received',
      'Your incoming payment of €1,234.56 is complete',
      'You received a payment of €1,234.56 from Ada Lovelace.',
    ],
    [
      'refund_sent',
      'Your refund of €1,234.56 is complete',
      'You refunded €1,234.56 to Ada Lovelace.',
    ],
    [
      'refund_received',
      'Your incoming refund of €1,234.56 is complete',
      'You received a refund of €1,234.56 from Ada Lovelace.',
    ],
  ])('calls a %s what it is, not a transfer', (kind, subject, sms) => {
    const message = movementCompleted({ ...notice, kind });
    expect(message.subject).toBe(subject);
    expect(message.sms).toBe(sms);
  });

  it('has no failure notice for money that never arrived', () => {
    expect(
      ['transfer_received', 'payment_received', 'refund_received'].every((k) =>
        isIncoming(k as MovementNotice['kind']),
      ),
    ).toBe(true);
    expect(isIncoming('payment_sent')).toBe(false);
    expect(
      movementFailed({ ...notice, kind: 'payment_sent', reason: 'insufficient_funds' }).sms,
    ).toBe('Your payment of €1,234.56 did not go through: there was not enough money available.');
  });

  it('names a known failure reason and hides unknown ones', () => {
    const declined = movementFailed({ ...notice, kind: 'top_up', reason: 'card_declined' });
    expect(declined.subject).toBe('Your top-up of €1,234.56 did not go through');
    expect(declined.sms).toBe(
      'Your top-up of €1,234.56 did not go through: your card was declined.',
    );
    const internal = movementFailed({
      ...notice,
      kind: 'withdrawal',
      reason: 'ECONNRESET at pg.Pool',
    });
    expect(internal.text).toContain('it could not be completed');
    expect(internal.text).not.toContain('ECONNRESET');
  });

  it('keeps a hostile display name on one bounded line', () => {
    const message = movementCompleted({
      ...notice,
      counterparty: 'Eve\r\nBcc: all@example.com\u202e' + 'x'.repeat(200),
    });
    expect(message.sms).not.toMatch(/[\r\n\u202e]/);
    expect(message.sms.length).toBeLessThan(140);
  });
});
