import { sagaSpec } from '@ledger/testing';
import { recordStep, stepId } from '../saga';
import { withdrawalSaga } from './withdrawal.decider';
import type { WithdrawalCommand, WithdrawalEvent, WithdrawalRequest } from './withdrawal.events';

const saga = 'withdrawal-00000000-0000-4000-8000-000000000003';
const at = '2026-01-01T00:00:00.000Z';
const request: WithdrawalRequest = {
  withdrawalId: saga.slice(11),
  requestedBy: 'u',
  walletId: 'w',
  ownerId: 'u',
  amountMinor: 700n,
  currency: 'USD',
  destinationId: 'd',
  destinationType: 'bank_account',
  destinationRef: 'ba_1',
  timeoutAt: '2026-01-08T00:00:00.000Z',
  at,
};
const requested: WithdrawalEvent = { type: 'WithdrawalRequested', data: request };
const held: WithdrawalEvent = { type: 'WithdrawalFundsHeld', data: { at } };
const created: WithdrawalEvent = { type: 'PayoutCreated', data: { payoutId: 'po_1', at } };
const report = (ok: boolean, providerEventId = 'evt_1'): WithdrawalCommand => ({
  type: 'RecordPayoutReport',
  commandId: providerEventId,
  providerEventId,
  payoutId: 'po_1',
  result: ok ? { ok: true } : { ok: false, reason: 'account_closed' },
  at,
});

/** Given the saga's events: when a command, then these events; and what is due. */
const spec = sagaSpec(withdrawalSaga, saga, at);
const given = (...events: WithdrawalEvent[]) => {
  const state = spec(...events);
  return { ...state, jobs: () => state.jobs().map((j) => j.jobId) };
};

describe('withdrawal saga', () => {
  it('holds the money against payouts clearing first', () => {
    expect(given(requested).next()).toMatchObject([
      {
        step: 'hold',
        walletId: 'w',
        command: {
          type: 'PlaceHold',
          holdId: stepId(saga, 'hold'),
          amountMinor: 700n,
          contra: 'system:payouts_clearing',
          kind: 'withdrawal',
        },
      },
    ]);
    given(requested)
      .when(recordStep(saga, 'hold', { ok: false, reason: 'exceeds_available' }, at))
      .then([
        { type: 'WithdrawalFailed', data: { reason: 'exceeds_available', compensated: false, at } },
      ]);
  });

  it('pays out through a keyed job with a timer, then captures on payout_paid', () => {
    expect(given(requested, held).jobs()).toEqual([`${saga}:payout`, `${saga}:timeout`]);
    expect(given(requested, held, created).jobs()).toEqual([`${saga}:timeout`]);
    const paid = given(requested, held, created).when(report(true)).thenEvents();
    expect(paid).toEqual([
      { type: 'PayoutPaid', data: { providerEventId: 'evt_1', payoutId: 'po_1', at } },
    ]);
    given(requested, held, created, ...paid)
      .when(report(true))
      .then([]);
    expect(given(requested, held, created, ...paid).next()).toMatchObject([
      { step: 'capture', command: { type: 'CaptureHold' } },
    ]);
    const done = given(requested, held, created, ...paid)
      .when(recordStep(saga, 'capture', { ok: true }, at))
      .thenEvents();
    expect(done.map((e) => e.type)).toEqual(['WithdrawalHoldCaptured', 'WithdrawalCompleted']);
  });

  it('asks the provider about a created payout at its check time, also once it cannot be canceled', () => {
    const recorded = given(requested, held)
      .when({
        type: 'RecordPayoutCreated',
        commandId: 'p',
        result: { ok: true, payoutId: 'po_1' },
        checkAfterMs: 3_600_000,
        at,
      })
      .thenEvents();
    expect(recorded).toEqual([
      {
        type: 'PayoutCreated',
        data: { payoutId: 'po_1', at, checkAt: '2026-01-01T01:00:00.000Z' },
      },
    ]);
    const checked = spec(requested, held, ...recorded);
    expect(checked.jobs()).toEqual([
      {
        name: 'withdrawal.timeout',
        jobId: `${saga}:timeout`,
        movementId: saga,
        runAt: request.timeoutAt,
      },
      {
        name: 'withdrawal.check_payout',
        jobId: `${saga}:check`,
        movementId: saga,
        runAt: '2026-01-01T01:00:00.000Z',
      },
    ]);
    const refused: WithdrawalEvent = {
      type: 'PayoutNotCancelable',
      data: { payoutId: 'po_1', reason: 'not_cancelable', at },
    };
    const cancelDue: WithdrawalEvent = {
      type: 'PayoutCancelDue',
      data: { payoutId: 'po_1', reason: 'timed_out', at },
    };
    expect(given(requested, held, ...recorded, cancelDue, refused).jobs()).toEqual([
      `${saga}:check`,
    ]);
    // A payout recorded before checks existed has none.
    expect(given(requested, held, created).jobs()).toEqual([`${saga}:timeout`]);
  });

  it.each<[string, WithdrawalCommand, WithdrawalEvent[]]>([
    ['payout_failed', report(false), [requested, held, created]],
    [
      'a refused payout',
      {
        type: 'RecordPayoutCreated',
        commandId: 'p',
        result: { ok: false, reason: 'insufficient_funds' },
        at,
      },
      [requested, held],
    ],
    [
      'exhausted retries',
      {
        type: 'RecordPayoutCreated',
        commandId: 'p',
        result: { ok: false, reason: 'payout_attempts_exhausted' },
        at,
      },
      [requested, held],
    ],
  ])('releases the hold after %s, then fails compensated', (_case, command, history) => {
    const due = given(...history)
      .when(command)
      .thenEvents();
    expect(due.map((e) => e.type)).toEqual(['WithdrawalReleaseDue']);
    expect(given(...history, ...due).next()).toMatchObject([
      { step: 'release', command: { type: 'ReleaseHold', holdId: stepId(saga, 'hold') } },
    ]);
    const end = given(...history, ...due)
      .when(recordStep(saga, 'release', { ok: true }, at))
      .thenEvents();
    expect(end.map((e) => e.type)).toEqual(['WithdrawalHoldReleased', 'WithdrawalFailed']);
    expect(end[1]).toMatchObject({ data: { compensated: true } });
  });

  describe('a timeout before the payout call answered', () => {
    const timeout: WithdrawalCommand = { type: 'RecordTimeout', commandId: 't', at };
    const timedOut: WithdrawalEvent = { type: 'WithdrawalTimedOut', data: { at } };
    const answer = (
      result: { ok: true; payoutId: string } | { ok: false; reason: string },
    ): WithdrawalCommand => ({ type: 'RecordPayoutCreated', commandId: 'p', result, at });

    it('releases nothing yet: the call may have reached the provider', () => {
      given(requested, held).when(timeout).then([timedOut]);
      expect(given(requested, held, timedOut).next()).toEqual([]);
      expect(given(requested, held, timedOut).jobs()).toEqual([`${saga}:payout`]);
      given(requested, held, timedOut).when(timeout).then([]);
    });

    it('releases the hold when the call is refused or its attempts are spent', () => {
      const due = given(requested, held, timedOut)
        .when(answer({ ok: false, reason: 'payout_attempts_exhausted' }))
        .thenEvents();
      expect(due).toEqual([
        { type: 'WithdrawalReleaseDue', data: { reason: 'payout_attempts_exhausted', at } },
      ]);
    });

    it('cancels a payout the call created after all', () => {
      given(requested, held, timedOut)
        .when(answer({ ok: true, payoutId: 'po_1' }))
        .then([
          created,
          { type: 'PayoutCancelDue', data: { payoutId: 'po_1', reason: 'timed_out', at } },
        ]);
    });
  });

  describe('a timeout after the payout was created', () => {
    const timeout: WithdrawalCommand = { type: 'RecordTimeout', commandId: 't', at };
    const cancelDue: WithdrawalEvent = {
      type: 'PayoutCancelDue',
      data: { payoutId: 'po_1', reason: 'timed_out', at },
    };
    const cancel = (result: { ok: true } | { ok: false; reason: string }): WithdrawalCommand => ({
      type: 'RecordPayoutCancel',
      commandId: 'c',
      result,
      at,
    });
    const refused: WithdrawalEvent = {
      type: 'PayoutNotCancelable',
      data: { payoutId: 'po_1', reason: 'not_cancelable', at },
    };

    it('asks the provider to cancel the payout instead of releasing the hold', () => {
      given(requested, held, created).when(timeout).then([cancelDue]);
      const due = given(requested, held, created, cancelDue);
      expect(due.next()).toEqual([]);
      expect(due.jobs()).toEqual([`${saga}:cancel`]);
      expect(spec(requested, held, created, cancelDue).jobs()).toEqual([
        { name: 'withdrawal.cancel_payout', jobId: `${saga}:cancel`, movementId: saga },
      ]);
      due.when(timeout).then([]);
    });

    it('releases the hold once the provider confirms the cancel, then fails compensated', () => {
      const canceled = given(requested, held, created, cancelDue)
        .when(cancel({ ok: true }))
        .thenEvents();
      expect(canceled).toEqual([
        { type: 'PayoutCanceled', data: { payoutId: 'po_1', at } },
        { type: 'WithdrawalReleaseDue', data: { reason: 'timed_out', at } },
      ]);
      const history = [requested, held, created, cancelDue, ...canceled];
      expect(given(...history).next()).toMatchObject([
        { step: 'release', command: { type: 'ReleaseHold' } },
      ]);
      given(...history)
        .when(cancel({ ok: true }))
        .then([]);
      const end = given(...history)
        .when(recordStep(saga, 'release', { ok: true }, at))
        .thenEvents();
      expect(end[1]).toMatchObject({
        type: 'WithdrawalFailed',
        data: { reason: 'timed_out', compensated: true },
      });
    });

    it.each(['not_cancelable', 'cancel_payout_attempts_exhausted', 'not_authorised'])(
      'keeps the hold when the cancel answers %s, and waits for the report without a new timer',
      (reason) => {
        given(requested, held, created, cancelDue)
          .when(cancel({ ok: false, reason }))
          .then([{ type: 'PayoutNotCancelable', data: { payoutId: 'po_1', reason, at } }]);
        const waiting = given(requested, held, created, cancelDue, refused);
        expect(waiting.next()).toEqual([]);
        expect(waiting.jobs()).toEqual([]);
        waiting.when(timeout).then([]);
        waiting.when(cancel({ ok: true })).then([]);
      },
    );

    it.each([
      ['while the cancel is due', [requested, held, created, cancelDue]],
      ['after the cancel was refused', [requested, held, created, cancelDue, refused]],
    ])('captures on payout_paid %s', (_case, history) => {
      const paid = given(...history)
        .when(report(true))
        .thenEvents();
      expect(paid.map((e) => e.type)).toEqual(['PayoutPaid']);
      expect(given(...history, ...paid).next()).toMatchObject([
        { step: 'capture', command: { type: 'CaptureHold' } },
      ]);
      // A cancel answer that arrives after the report changes nothing.
      given(...history, ...paid)
        .when(cancel({ ok: true }))
        .then([]);
    });

    it.each([
      ['while the cancel is due', [requested, held, created, cancelDue]],
      ['after the cancel was refused', [requested, held, created, cancelDue, refused]],
    ])('releases on payout_failed %s, once', (_case, history) => {
      const failed = given(...history)
        .when(report(false))
        .thenEvents();
      expect(failed).toEqual([
        {
          type: 'WithdrawalReleaseDue',
          data: { reason: 'account_closed', providerEventId: 'evt_1', at },
        },
      ]);
      given(...history, ...failed)
        .when(cancel({ ok: true }))
        .then([]);
      expect(given(...history, ...failed).next()).toMatchObject([{ step: 'release' }]);
    });
  });

  it('records a payout paid after the release for reconciliation instead of ignoring it', () => {
    const due: WithdrawalEvent = {
      type: 'WithdrawalReleaseDue',
      data: { reason: 'timed_out', at },
    };
    given(requested, held, created, due)
      .when(report(true, 'evt_late'))
      .then([
        {
          type: 'PayoutPaidAfterRelease',
          data: { providerEventId: 'evt_late', payoutId: 'po_1', at },
        },
      ]);
  });
});
