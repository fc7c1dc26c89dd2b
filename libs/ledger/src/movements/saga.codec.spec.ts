import { MalformedSagaEvent } from './saga';
import { topUpSaga } from './top-up/top-up.decider';
import { transferSaga } from './transfer/transfer.decider';
import { withdrawalSaga } from './withdrawal/withdrawal.decider';
import type { TransferEvent } from './transfer/transfer.events';
import type { RecordedEvent } from '@ledger/event-store';

/** The store's record as a decoder sees it: its type and its data, whatever is in them. */
const decode = (saga: { decode(e: RecordedEvent): unknown }, e: { type: string; data: unknown }) =>
  saga.decode(e as RecordedEvent);

const at = '2026-01-01T00:00:00.000Z';
const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId: 't1',
    requestedBy: 'alice',
    fromWalletId: 'wa',
    fromOwnerId: 'alice',
    toWalletId: 'wb',
    toOwnerId: 'bob',
    amountMinor: 500n,
    currency: 'USD',
    creditAmountMinor: 460n,
    creditCurrency: 'EUR',
    fxRate: '0.92',
    at,
  },
};
const stored = (event: { type: string; data: object }) =>
  transferSaga.encode('transfer-t1', event as TransferEvent, 'c', 0, {});

describe('decoding a stored saga event', () => {
  it('rebuilds what was encoded, amounts as bigint', () => {
    expect(decode(transferSaga, stored(requested))).toEqual(requested);
    const failed = { type: 'TransferFailed', data: { reason: 'x', compensated: true, at } };
    expect(decode(transferSaga, stored(failed))).toEqual(failed);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing wallet id', { fromWalletId: undefined }, /fromWalletId must be a string/],
    ['a numeric currency', { currency: 840 }, /currency must be a string, not number/],
    ['a missing amount', { amountMinor: undefined }, /amountMinor must be an integer amount/],
    ['a fractional amount', { creditAmountMinor: '4.60' }, /creditAmountMinor is not an exact/],
    ['an amount as an object', { amountMinor: { v: 1 } }, /amountMinor must be an integer/],
    ['an optional field of the wrong type', { fxRate: 0.92 }, /fxRate must be a string when/],
    ['a null time', { at: null }, /at must be a string, not null/],
    ['a kind no transfer has', { kind: 'gift' }, /kind must be one of payment, refund, not gift/],
  ])('refuses a transfer request with %s', (_case, patch, message) => {
    const event = stored(requested);
    const corrupt = { type: event.type, data: { ...event.data, ...patch } };
    expect(() => decode(transferSaga, corrupt)).toThrow(MalformedSagaEvent);
    expect(() => decode(transferSaga, corrupt)).toThrow(message);
  });

  it('refuses a flag that is not a boolean, no data, and a type of another saga kind', () => {
    const failed = { type: 'TransferFailed', data: { reason: 'x', compensated: 'yes', at } };
    expect(() => decode(transferSaga, failed)).toThrow(/compensated must be a boolean/);
    expect(() => decode(transferSaga, { type: 'TransferCompleted', data: null })).toThrow(
      /Malformed TransferCompleted: no data/,
    );
    expect(() => decode(transferSaga, { type: 'PayoutPaid', data: {} })).toThrow(
      /Not a saga event of this kind: PayoutPaid/,
    );
  });

  it('checks every saga kind’s events', () => {
    expect(() =>
      decode(topUpSaga, {
        type: 'PaymentSucceeded',
        data: { providerEventId: 'e', paymentIntentId: 'pi', currency: 'EUR', at },
      }),
    ).toThrow(/Malformed PaymentSucceeded: amountMinor must be an integer amount/);
    expect(
      decode(topUpSaga, {
        type: 'PaymentSucceeded',
        data: {
          providerEventId: 'e',
          paymentIntentId: 'pi',
          amountMinor: '7',
          currency: 'EUR',
          at,
        },
      }),
    ).toMatchObject({ data: { amountMinor: 7n } });
    expect(() => decode(withdrawalSaga, { type: 'PayoutCreated', data: { at } })).toThrow(
      /Malformed PayoutCreated: payoutId must be a string, not undefined/,
    );
    const request = {
      withdrawalId: 'w',
      requestedBy: 'u',
      walletId: 'w',
      ownerId: 'u',
      amountMinor: '7',
      currency: 'USD',
      destinationId: 'd',
      destinationType: 'bank_account',
      destinationRef: 'ba',
      timeoutAt: at,
      at,
    };
    expect(decode(withdrawalSaga, { type: 'WithdrawalRequested', data: request })).toMatchObject({
      data: { amountMinor: 7n, destinationType: 'bank_account' },
    });
    expect(() =>
      decode(withdrawalSaga, {
        type: 'WithdrawalRequested',
        data: { ...request, destinationType: 'cheque' },
      }),
    ).toThrow(/destinationType must be one of bank_account, connected_account, mobile_money/);
    expect(() =>
      decode(topUpSaga, {
        type: 'TopUpRequested',
        data: { ...request, topUpId: 't', method: 'cash' },
      }),
    ).toThrow(/Malformed TopUpRequested: method must be one of card, mpesa, not cash/);
    expect(decode(withdrawalSaga, { type: 'PayoutCreated', data: { payoutId: 'po', at } })).toEqual(
      { type: 'PayoutCreated', data: { payoutId: 'po', at } },
    );
  });
});
