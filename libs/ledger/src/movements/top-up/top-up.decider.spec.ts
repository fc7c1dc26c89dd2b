import { sagaSpec } from '@ledger/testing';
import { recordStep, stepId } from '../saga';
import { topUpSaga } from './top-up.decider';
import type { TopUpCommand, TopUpEvent, TopUpRequest } from './top-up.events';

const saga = 'topup-00000000-0000-4000-8000-000000000002';
const at = '2026-01-01T00:00:00.000Z';
const request: TopUpRequest = {
  topUpId: saga.slice(6),
  requestedBy: 'u',
  walletId: 'w',
  ownerId: 'u',
  amountMinor: 1_000n,
  currency: 'EUR',
  timeoutAt: '2026-01-01T00:30:00.000Z',
  at,
};
const requested: TopUpEvent = { type: 'TopUpRequested', data: request };
const intent: TopUpEvent = { type: 'PaymentIntentCreated', data: { paymentIntentId: 'pi_1', at } };
const payment = (providerEventId: string, amountMinor = 1_000n): TopUpCommand => ({
  type: 'RecordPayment',
  commandId: providerEventId,
  providerEventId,
  paymentIntentId: 'pi_1',
  result: { ok: true, amountMinor, currency: 'EUR' },
  at,
});
const paid: TopUpEvent = {
  type: 'PaymentSucceeded',
  data: {
    providerEventId: 'evt_1',
    paymentIntentId: 'pi_1',
    amountMinor: 1_000n,
    currency: 'EUR',
    at,
  },
};

/** Given the saga's events: when a command, then these events; and what is due. */
const given = sagaSpec(topUpSaga, saga, at);

describe('top-up saga', () => {
  it('waits for the payment with a durable timer keyed by the saga', () => {
    expect(given(requested, intent).next()).toEqual([]);
    expect(given(requested, intent).jobs()).toEqual([
      {
        name: 'topup.timeout',
        jobId: `${saga}:timeout`,
        movementId: saga,
        runAt: request.timeoutAt,
      },
    ]);
  });

  it('records a payment once, then credits the wallet against card clearing', () => {
    given(requested, intent).when(payment('evt_1')).then([paid]);
    given(requested, intent, paid).when(payment('evt_1')).then([]);
    given(requested, intent, paid).when(payment('evt_2')).then([]);
    expect(given(requested, intent, paid).next()).toEqual([
      {
        type: 'wallet',
        step: 'credit',
        walletId: 'w',
        command: {
          type: 'Credit',
          commandId: stepId(saga, 'credit'),
          entryId: stepId(saga, 'credit'),
          amountMinor: 1_000n,
          currency: 'EUR',
          contra: 'system:card_clearing',
          kind: 'top_up',
          movementId: saga,
          at,
        },
      },
    ]);
    const done = given(requested, intent, paid)
      .when(recordStep(saga, 'credit', { ok: true }, at))
      .thenEvents();
    expect(done.map((e) => e.type)).toEqual(['TopUpCredited', 'TopUpCompleted']);
    expect(given(requested, intent, paid, ...done).summary()?.status).toBe('completed');
  });

  it('fails on a failed payment, with nothing to compensate', () => {
    const failed = given(requested, intent)
      .when({
        type: 'RecordPayment',
        commandId: 'e',
        providerEventId: 'evt_f',
        paymentIntentId: 'pi_1',
        result: { ok: false, reason: 'card_declined' },
        at,
      })
      .thenEvents();
    expect(failed).toEqual([
      {
        type: 'PaymentFailed',
        data: { providerEventId: 'evt_f', paymentIntentId: 'pi_1', reason: 'card_declined', at },
      },
      { type: 'TopUpFailed', data: { reason: 'card_declined', compensated: false, at } },
    ]);
  });

  it('refunds the card when the wallet refuses the credit, then fails compensated', () => {
    const refusal = given(requested, intent, paid)
      .when(recordStep(saga, 'credit', { ok: false, reason: 'wallet_closed' }, at))
      .thenEvents();
    expect(refusal).toEqual([{ type: 'TopUpRefundDue', data: { reason: 'wallet_closed', at } }]);
    expect(given(requested, intent, paid, ...refusal).jobs()).toEqual([
      { name: 'topup.refund', jobId: `${saga}:refund`, movementId: saga },
    ]);
    const refunded = given(requested, intent, paid, ...refusal)
      .when({
        type: 'RecordRefund',
        commandId: 'r',
        result: { ok: true, refundId: 're_1' },
        at,
      })
      .thenEvents();
    expect(refunded).toEqual([
      { type: 'TopUpRefunded', data: { refundId: 're_1', at } },
      { type: 'TopUpFailed', data: { reason: 'wallet_closed', compensated: true, at } },
    ]);
  });

  it('times out only while waiting, and refunds a payment that arrives after', () => {
    const timedOut = given(requested, intent)
      .when({
        type: 'RecordTimeout',
        commandId: 't',
        at,
      })
      .thenEvents();
    expect(timedOut.map((e) => e.type)).toEqual(['TopUpTimedOut', 'TopUpFailed']);
    given(requested, intent, paid).when({ type: 'RecordTimeout', commandId: 't', at }).then([]);
    const late = given(requested, intent, ...timedOut)
      .when(payment('evt_late'))
      .thenEvents();
    expect(late.map((e) => e.type)).toEqual(['PaymentSucceeded', 'TopUpRefundDue']);
    expect(late[1]).toMatchObject({ data: { reason: 'payment_after_timeout' } });
  });

  it('refunds a payment that does not match the request rather than credit it', () => {
    const wrong = given(requested, intent).when(payment('evt_x', 999n)).thenEvents();
    expect(wrong.map((e) => e.type)).toEqual(['PaymentSucceeded', 'TopUpRefundDue']);
    expect(wrong[1]).toMatchObject({ data: { reason: 'payment_amount_mismatch' } });
  });
});

describe('top-up saga by mobile money', () => {
  const mpesa: TopUpEvent = {
    type: 'TopUpRequested',
    data: { ...request, currency: 'KES', method: 'mpesa' },
  };
  const timeout: TopUpCommand = { type: 'RecordTimeout', commandId: 't', at };
  const timedOut: TopUpEvent = { type: 'TopUpTimedOut', data: { at } };

  it('asks the provider when the timer runs out, instead of failing', () => {
    given(mpesa, intent).when(timeout).then([timedOut]);
    expect(given(mpesa, intent, timedOut).jobs()).toEqual([
      { name: 'topup.confirm', jobId: `${saga}:confirm`, movementId: saga },
    ]);
    expect(given(mpesa, intent, timedOut).summary()?.status).toBe('pending');
  });

  it('a confirmed payment is credited; no answer at all ends it timed out', () => {
    const confirmed = given(mpesa, intent, timedOut)
      .when({
        type: 'RecordPayment',
        commandId: 'c',
        providerEventId: 'mpesa:stk:pi_1',
        paymentIntentId: 'pi_1',
        result: { ok: true, amountMinor: 1_000n, currency: 'KES' },
        at,
      })
      .thenEvents();
    expect(confirmed).toMatchObject([{ type: 'PaymentSucceeded' }]);
    given(mpesa, intent, timedOut)
      .when({ ...timeout, commandId: 'u' })
      .then([
        timedOut,
        { type: 'TopUpFailed', data: { reason: 'timed_out', compensated: false, at } },
      ]);
  });

  it('a prompt that was never sent fails at its timer, as a card does', () => {
    given(mpesa)
      .when(timeout)
      .thenMatch([{ type: 'TopUpTimedOut' }, { type: 'TopUpFailed' }]);
  });
});
