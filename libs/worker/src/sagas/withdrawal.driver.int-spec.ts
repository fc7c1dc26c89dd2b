import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { deriveId, sagaStreamId, type WithdrawalRequest } from '@ledger/ledger';
import { SAGA_METADATA_KEY } from '@ledger/ledger/nest';
import {
  AT,
  closeMovementSpec,
  eventTypes,
  MovementProcess,
  openMovementSpec,
  sagaSummary,
} from '@ledger/testing/movements';
import { SandboxGateway, TransientGatewayError } from '@ledger/payments';
import { SagaJobRunner } from './saga-jobs.runner';

describe.each(databaseFactories())('withdrawal saga driven on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    ({ database, proc } = await openMovementSpec(factory, { worker: true }));
  });
  afterAll(() => closeMovementSpec({ database, proc }));

  let n = 0;
  /** A funded wallet and a recorded withdrawal request (the API's checks are the handler's business). */
  async function requestWithdrawal(amountMinor: bigint, options: { timeoutAt?: string } = {}) {
    n++;
    const walletId = deriveId('withdrawal-test-wallet', String(n));
    await proc.openWallet(walletId, 'dave', 'USD', 10_000n);
    const withdrawalId = deriveId('withdrawal-test', String(n));
    const stream = sagaStreamId('withdrawal', withdrawalId);
    const request: WithdrawalRequest = {
      withdrawalId,
      requestedBy: 'dave',
      walletId,
      ownerId: 'dave',
      amountMinor,
      currency: 'USD',
      destinationId: deriveId('dest', String(n)),
      destinationType: 'bank_account',
      destinationRef: 'ba_test',
      timeoutAt: options.timeoutAt ?? new Date(Date.now() + 86_400_000).toISOString(),
      at: AT,
    };
    const outcome = await proc.streams.record(stream, {
      type: 'StartWithdrawal',
      commandId: `req-${stream}`,
      request,
    });
    expect(outcome.ok).toBe(true);
    return { walletId, stream };
  }

  const summary = (stream: string) => sagaSummary(proc, stream);
  const types = (stream: string) => eventTypes(proc, stream);

  it('holds, pays out, and captures the hold when the payout is paid', async () => {
    const { walletId, stream } = await requestWithdrawal(4_000n);
    await proc.settle();
    expect(await types(stream)).toEqual([
      'WithdrawalRequested',
      'WithdrawalFundsHeld',
      'PayoutCreated',
      'PayoutPaid',
      'WithdrawalHoldCaptured',
      'WithdrawalCompleted',
    ]);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 6_000n, heldMinor: 0n });
    const captured = (await proc.walletEvents(walletId)).find((e) => e.type === 'HoldCaptured');
    expect(captured?.data.entry).toMatchObject({
      debit: `wallet:${walletId}`,
      credit: 'system:payouts_clearing',
      amountMinor: '4000',
    });
  });

  it('fails without compensation when the wallet cannot cover it', async () => {
    const { stream } = await requestWithdrawal(20_000n);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'exceeds_available',
    });
  });

  it.each([
    ['the payout fails later', 422n, 'account_closed'],
    ['the provider refuses the payout', 402n, 'insufficient_funds'],
  ])('releases the hold when %s', async (_case, amount, reason) => {
    const { walletId, stream } = await requestWithdrawal(amount);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'failed', failureReason: reason });
    expect(await types(stream)).toContain('WithdrawalHoldReleased');
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
  });

  it('retries an unavailable provider, and releases the hold once the attempts are spent', async () => {
    const { walletId, stream } = await requestWithdrawal(1_000n);
    proc.gateway.script.next('createPayout', 'unavailable', 4);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'payout_attempts_exhausted',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
  });

  it('pays out once across a retried call that timed out after the provider executed it', async () => {
    const { stream } = await requestWithdrawal(1_500n);
    proc.gateway.script.next('createPayout', 'timeout', 1);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'completed' });
    expect((await types(stream)).filter((t) => t === 'PayoutPaid')).toHaveLength(1);
  });

  /** The withdrawal's durable timer going off now, as the queue would run it when due. */
  const timerFires = (stream: string) =>
    new SagaJobRunner(proc.streams, proc.gateway).run({
      name: 'withdrawal.timeout',
      jobId: `${stream}:timeout`,
      movementId: stream,
    });
  const payoutOf = async (stream: string) => {
    const state = (await proc.streams.replay(stream))?.state as { payoutId?: string };
    return state.payoutId!;
  };

  it('cancels a payout the provider has not sent when the timer runs out, then releases once', async () => {
    const { walletId, stream } = await requestWithdrawal(204n);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'payout_created' });
    const payoutId = await payoutOf(stream);
    await timerFires(stream);
    await proc.settle();
    expect(await types(stream)).toEqual([
      'WithdrawalRequested',
      'WithdrawalFundsHeld',
      'PayoutCreated',
      'PayoutCancelDue',
      'PayoutCanceled',
      'WithdrawalReleaseDue',
      'WithdrawalHoldReleased',
      'WithdrawalFailed',
    ]);
    expect(await summary(stream)).toMatchObject({ status: 'failed', failureReason: 'timed_out' });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
    // The bank tries to settle it anyway: a canceled payout is never reported paid.
    proc.gateway.settlePayout(payoutId, 'paid');
    await timerFires(stream);
    await proc.settle();
    expect(await types(stream)).not.toContain('PayoutPaid');
    expect(await types(stream)).not.toContain('PayoutPaidAfterRelease');
    expect(
      (await proc.walletEvents(walletId)).filter((e) => e.type === 'HoldReleased'),
    ).toHaveLength(1);
  });

  it('does not act on a paid report that follows a confirmed cancel', async () => {
    const { walletId, stream } = await requestWithdrawal(204n);
    await proc.settle();
    const payoutId = await payoutOf(stream);
    await timerFires(stream);
    await proc.settle();
    // A provider that broke its word: recorded for an operator, never a second movement of money.
    await proc.recorder.record({
      type: 'payout_paid',
      providerEventId: 'evt_contradiction',
      objectId: payoutId,
      amountMinor: 204n,
      currency: 'USD',
      metadata: { [SAGA_METADATA_KEY]: stream },
      occurredAt: new Date(),
    });
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'failed' });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
    expect(await types(stream)).not.toContain('WithdrawalHoldCaptured');
    expect((await types(stream)).at(-1)).toBe('PayoutPaidAfterRelease');
  });

  it('keeps the hold when the payout can no longer be canceled, and captures once it is paid', async () => {
    const { walletId, stream } = await requestWithdrawal(204n);
    await proc.settle();
    const payoutId = await payoutOf(stream);
    proc.gateway.settlePayout(payoutId, 'in_transit');
    await timerFires(stream);
    await proc.settle();
    expect((await types(stream)).slice(3)).toEqual(['PayoutCancelDue', 'PayoutNotCancelable']);
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'awaiting_report' });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 204n });
    proc.gateway.settlePayout(payoutId, 'paid');
    await proc.settle();
    expect((await types(stream)).slice(5)).toEqual([
      'PayoutPaid',
      'WithdrawalHoldCaptured',
      'WithdrawalCompleted',
    ]);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 9_796n, heldMinor: 0n });
  });

  it('keeps the hold when the cancel attempts are spent, and releases on payout_failed', async () => {
    const { walletId, stream } = await requestWithdrawal(204n);
    await proc.settle();
    const payoutId = await payoutOf(stream);
    proc.gateway.script.next('cancelPayout', 'unavailable', 4);
    await timerFires(stream);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'awaiting_report' });
    expect(await proc.wallet(walletId)).toMatchObject({ heldMinor: 204n });
    proc.gateway.settlePayout(payoutId, 'failed');
    await proc.settle();
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'account_closed',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
  });

  it('releases the hold when the payout is never reported (durable timeout)', async () => {
    const { walletId, stream } = await requestWithdrawal(204n, { timeoutAt: AT });
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'failed', failureReason: 'timed_out' });
    expect(await proc.wallet(walletId)).toMatchObject({ heldMinor: 0n, postedMinor: 10_000n });
  });

  /** The payout check, run by a worker whose provider is `gateway`. */
  const checkRuns = (stream: string, gateway: SandboxGateway) =>
    new SagaJobRunner(proc.streams, gateway).run({
      name: 'withdrawal.check_payout',
      jobId: `${stream}:check`,
      movementId: stream,
    });

  it('leaves a payout the provider has not settled to its report when checked', async () => {
    const { stream } = await requestWithdrawal(2_100n);
    proc.gateway.script.next('createPayout', 'no_event', 1);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'payout_created' });
    await expect(checkRuns(stream, proc.gateway)).rejects.toBeInstanceOf(TransientGatewayError);
    expect(await types(stream)).not.toContain('PayoutPaid');
  });

  it('completes a payout whose report was lost with the provider process, once checked', async () => {
    const { walletId, stream } = await requestWithdrawal(2_200n);
    // The payout is made, and its report never leaves: the process holding it died.
    proc.gateway.script.next('createPayout', 'no_event', 1);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'pending', phase: 'payout_created' });
    const restarted = new SandboxGateway();
    await checkRuns(stream, restarted);
    // Checked twice (the delayed job and the durable timer both ran): one report.
    await checkRuns(stream, restarted);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'completed' });
    expect((await types(stream)).filter((t) => t === 'PayoutPaid')).toHaveLength(1);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 7_800n, heldMinor: 0n });
  });

  it('releases the hold when the check finds the payout failed', async () => {
    const { walletId, stream } = await requestWithdrawal(422n);
    proc.gateway.script.next('createPayout', 'no_event', 1);
    await proc.settle();
    await checkRuns(stream, new SandboxGateway());
    await proc.settle();
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'account_closed',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 10_000n, heldMinor: 0n });
  });
});
