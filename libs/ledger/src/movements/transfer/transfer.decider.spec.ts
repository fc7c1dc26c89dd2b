import { must } from '@ledger/invariant';
import { sagaSpec } from '@ledger/testing';
import { endInlineRun, recordStep, recordSteps, stepId, type StepResult } from '../saga';
import { transferSaga } from './transfer.decider';
import type { TransferEvent, TransferRequest, TransferStep } from './transfer.events';

const saga = 'transfer-00000000-0000-4000-8000-000000000001';
const at = '2026-01-01T00:00:00.000Z';
const request: TransferRequest = {
  transferId: '00000000-0000-4000-8000-000000000001',
  requestedBy: 'alice',
  fromWalletId: 'wa',
  fromOwnerId: 'alice',
  toWalletId: 'wb',
  toOwnerId: 'bob',
  amountMinor: 500n,
  currency: 'USD',
  creditAmountMinor: 500n,
  creditCurrency: 'USD',
  at,
};
const requested: TransferEvent = { type: 'TransferRequested', data: request };
const ok: StepResult = { ok: true };
const refused = (reason: string): StepResult => ({ ok: false, reason });

/** Given the saga's events: when a step's outcome is recorded, then these events; and what is due next. */
const spec = sagaSpec(transferSaga, saga, at);
const given = (...events: TransferEvent[]) => {
  const state = spec(...events);
  return {
    ...state,
    status: () => state.summary()?.status,
    when: (step: TransferStep, result: StepResult) =>
      state.when(recordStep(saga, step, result, at)),
  };
};

describe('transfer saga', () => {
  it('records the request once, and refuses a second request under the same id', () => {
    expect(given().next()).toEqual([]);
    spec().when({ type: 'StartTransfer', commandId: 'c', request }).then([requested]);
    spec(requested)
      .when({ type: 'StartTransfer', commandId: 'c2', request })
      .then('movement_already_exists');
  });

  it('refuses a transfer to the same wallet', () => {
    const self = { ...request, toWalletId: 'wa' };
    spec()
      .when({ type: 'StartTransfer', commandId: 'c', request: self })
      .then('transfer_to_same_wallet');
  });

  it('first holds the sender’s money against the transfer’s transit account', () => {
    expect(given(requested).next()).toEqual([
      {
        type: 'wallet',
        step: 'hold',
        walletId: 'wa',
        command: {
          type: 'PlaceHold',
          commandId: stepId(saga, 'hold'),
          holdId: stepId(saga, 'hold'),
          amountMinor: 500n,
          currency: 'USD',
          contra: `transit:${saga}`,
          kind: 'transfer',
          movementId: saga,
          at,
        },
      },
    ]);
  });

  it('happy path: hold, credit the recipient, capture, completed', () => {
    given(requested)
      .when('hold', ok)
      .then([{ type: 'TransferFundsHeld', data: { at } }]);
    const held: TransferEvent = { type: 'TransferFundsHeld', data: { at } };
    expect(given(requested, held).next()).toMatchObject([
      {
        step: 'credit',
        walletId: 'wb',
        command: {
          type: 'Credit',
          entryId: stepId(saga, 'credit'),
          amountMinor: 500n,
          contra: `transit:${saga}`,
        },
      },
    ]);
    const credited: TransferEvent = { type: 'TransferRecipientCredited', data: { at } };
    expect(given(requested, held, credited).next()).toMatchObject([
      {
        step: 'capture',
        walletId: 'wa',
        command: { type: 'CaptureHold', holdId: stepId(saga, 'hold') },
      },
    ]);
    const done = given(requested, held, credited).when('capture', ok).thenEvents();
    expect(done.map((e) => e.type)).toEqual(['TransferHoldCaptured', 'TransferCompleted']);
    expect(given(requested, held, credited, ...done).next()).toEqual([]);
    expect(given(requested, held, credited, ...done).status()).toBe('completed');
  });

  it('a refused hold fails the transfer with nothing to compensate', () => {
    given(requested)
      .when('hold', refused('exceeds_available'))
      .then([
        { type: 'TransferFailed', data: { reason: 'exceeds_available', compensated: false, at } },
      ]);
  });

  it('a refused credit releases the sender’s hold, then fails compensated', () => {
    const held: TransferEvent = { type: 'TransferFundsHeld', data: { at } };
    const refusal = given(requested, held).when('credit', refused('wallet_frozen')).thenEvents();
    expect(refusal).toEqual([
      { type: 'TransferCreditRefused', data: { reason: 'wallet_frozen', at } },
    ]);
    expect(given(requested, held, ...refusal).next()).toMatchObject([
      {
        step: 'release',
        walletId: 'wa',
        command: {
          type: 'ReleaseHold',
          commandId: stepId(saga, 'release'),
          holdId: stepId(saga, 'hold'),
        },
      },
    ]);
    const end = given(requested, held, ...refusal)
      .when('release', ok)
      .thenEvents();
    expect(end).toEqual([
      { type: 'TransferHoldReleased', data: { at } },
      { type: 'TransferFailed', data: { reason: 'wallet_frozen', compensated: true, at } },
    ]);
    expect(given(requested, held, ...refusal, ...end).status()).toBe('failed');
  });

  it('records a repeated or stale step outcome as nothing', () => {
    const held: TransferEvent = { type: 'TransferFundsHeld', data: { at } };
    given(requested, held).when('hold', ok).then([]);
    given(requested).when('capture', ok).then([]);
  });

  it('treats a refused capture or release as a bug for an operator, not a branch', () => {
    const held: TransferEvent = { type: 'TransferFundsHeld', data: { at } };
    const credited: TransferEvent = { type: 'TransferRecipientCredited', data: { at } };
    given(requested, held, credited)
      .when('capture', refused('hold_not_found'))
      .then('unexpected_step_refusal');
  });

  it('across currencies posts each leg against system:fx in its own currency', () => {
    const fx: TransferEvent = {
      type: 'TransferRequested',
      data: {
        ...request,
        toWalletId: 'we',
        creditAmountMinor: 460n,
        creditCurrency: 'EUR',
        fxRate: '0.92',
        fxSource: 'configured',
      },
    };
    expect(given(fx).next()).toMatchObject([
      { command: { type: 'PlaceHold', currency: 'USD', amountMinor: 500n, contra: 'system:fx' } },
    ]);
    const held: TransferEvent = { type: 'TransferFundsHeld', data: { at } };
    expect(given(fx, held).next()).toMatchObject([
      {
        walletId: 'we',
        command: { type: 'Credit', currency: 'EUR', amountMinor: 460n, contra: 'system:fx' },
      },
    ]);
  });

  it('round-trips its events through the store codec', () => {
    const encoded = transferSaga.encode(saga, requested, 'cmd', 0, {});
    expect(encoded.data.amountMinor).toBe('500');
    expect(
      transferSaga.decode({
        ...encoded,
        streamId: saga,
        revision: 0n,
        position: { commit: 0n, prepare: 0n },
        metadata: {},
        createdAt: new Date(),
      }),
    ).toEqual(requested);
  });
});

describe('a payment and its refunds', () => {
  const payment: TransferRequest = { ...request, kind: 'payment', reference: 'order-1' };
  const completed = [
    { type: 'TransferRequested', data: payment },
    { type: 'TransferFundsHeld', data: { at } },
    { type: 'TransferRecipientCredited', data: { at } },
    { type: 'TransferHoldCaptured', data: { at } },
    { type: 'TransferCompleted', data: { at } },
  ] as TransferEvent[];
  const reserve = (refundId: string, amountMinor: bigint) =>
    ({ type: 'ReserveRefund', commandId: `r-${refundId}`, refundId, amountMinor, at }) as const;
  const reserved = (refundId: string, amountMinor: bigint): TransferEvent => ({
    type: 'PaymentRefundReserved',
    data: { refundId, amountMinor, at },
  });

  it('sets refunds aside against what is left, and refuses one that would exceed the payment', () => {
    const state = spec(...completed, reserved('r1', 300n));
    state.when(reserve('r2', 200n)).then([reserved('r2', 200n)]);
    state.when(reserve('r2', 201n)).then('refund_exceeds_payment');
    // A reservation already made is not made twice.
    state.when(reserve('r1', 300n)).then([]);
  });

  it('makes a released refund refundable again', () => {
    const released: TransferEvent = {
      type: 'PaymentRefundReleased',
      data: { refundId: 'r1', amountMinor: 500n, at },
    };
    const state = spec(...completed, reserved('r1', 500n), released);
    state.when(reserve('r2', 500n)).then([reserved('r2', 500n)]);
    state.when({ type: 'ReleaseRefund', commandId: 'x', refundId: 'r1', at }).then([]);
  });

  it('refunds only a completed payment, never a plain transfer', () => {
    spec(must(completed[0], 'TransferRequested'))
      .when(reserve('r', 1n))
      .then('payment_not_refundable');
    spec({ type: 'TransferRequested', data: request }, ...completed.slice(1))
      .when(reserve('r', 1n))
      .then('payment_not_refundable');
  });

  it("posts the wallet entries under the movement's own kind", () => {
    const [hold] = spec(must(completed[0], 'TransferRequested')).next();
    expect(hold?.command).toMatchObject({ type: 'PlaceHold', kind: 'payment' });
  });

  describe('with an inline lease', () => {
    const leased: TransferEvent = {
      type: 'TransferRequested',
      data: { ...request, inlineUntil: '2026-01-01T00:00:02.000Z' },
    };
    const ended: TransferEvent = { type: 'TransferInlineRunEnded', data: { at } };
    const fold = (...events: TransferEvent[]) =>
      events.reduce((state, event) => transferSaga.evolve(state, event), transferSaga.initialState);
    const outcomes = (...steps: Array<[TransferStep, StepResult]>) =>
      recordSteps(
        saga,
        steps.map(([step, result]) => ({ step, result, at })),
      );

    it('records several outcomes in one command, each decided on the state the ones before leave', () => {
      spec(leased)
        .when(outcomes(['hold', ok], ['credit', ok], ['capture', ok]))
        .then([
          { type: 'TransferFundsHeld', data: { at } },
          { type: 'TransferRecipientCredited', data: { at } },
          { type: 'TransferHoldCaptured', data: { at } },
          { type: 'TransferCompleted', data: { at } },
        ]);
      // Outcomes already recorded (by the driver) record nothing again.
      spec(leased, { type: 'TransferFundsHeld', data: { at } })
        .when(outcomes(['hold', ok], ['credit', refused('wallet_frozen')]))
        .then([{ type: 'TransferCreditRefused', data: { reason: 'wallet_frozen', at } }]);
    });

    it('records nothing of the inline run once the driver ended it', () => {
      spec(leased).when(endInlineRun(saga, at)).then([ended]);
      spec(leased, ended).when(endInlineRun(saga, at)).then([]);
      spec(leased, ended)
        .when(outcomes(['hold', ok], ['credit', refused('wallet_frozen')]))
        .then([]);
      // The driver's own records still count.
      spec(leased, ended)
        .when(recordStep(saga, 'hold', ok, at))
        .then([{ type: 'TransferFundsHeld', data: { at } }]);
    });

    it('has a lease until the request says, ended once the driver took over; none without the field', () => {
      expect(transferSaga.inlineLease?.(fold(leased))).toEqual({
        until: '2026-01-01T00:00:02.000Z',
        ended: false,
      });
      expect(transferSaga.inlineLease?.(fold(leased, ended))).toMatchObject({ ended: true });
      expect(transferSaga.inlineLease?.(fold(requested))).toBeUndefined();
      // A finished transfer has no run to end.
      const done: TransferEvent[] = [
        { type: 'TransferFundsHeld', data: { at } },
        { type: 'TransferRecipientCredited', data: { at } },
        { type: 'TransferHoldCaptured', data: { at } },
        { type: 'TransferCompleted', data: { at } },
      ];
      spec(leased, ...done)
        .when(endInlineRun(saga, at))
        .then([]);
    });
  });
});
