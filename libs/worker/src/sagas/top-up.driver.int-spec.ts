import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { deriveId, sagaStreamId, StartTopUpCommand } from '@ledger/ledger';
import {
  AT,
  closeMovementSpec,
  crashingWallets,
  eventTypes,
  MovementProcess,
  openMovementSpec,
  sagaSummary,
} from '@ledger/testing/movements';

describe.each(databaseFactories())('top-up saga driven on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    ({ database, proc } = await openMovementSpec(factory, { worker: true }));
  });
  afterAll(() => closeMovementSpec({ database, proc }));

  let n = 0;
  async function startTopUp(amountMinor: bigint, on: MovementProcess = proc) {
    n++;
    const walletId = deriveId('topup-test-wallet', String(n));
    await proc.openWallet(walletId, 'carol', 'USD');
    const started = await on.topUps.execute(
      new StartTopUpCommand({
        caller: { userId: 'carol', actsForOthers: false },
        commandId: `topup-cmd-${n}`,
        walletId,
        amountMinor,
        currency: 'USD',
      }),
    );
    if (!started.ok) throw new Error(started.rejection);
    return { walletId, stream: started.movementId, started };
  }

  const summary = (stream: string) => sagaSummary(proc, stream);
  const types = (stream: string) => eventTypes(proc, stream);

  it('credits the wallet once the card payment succeeds', async () => {
    const { walletId, stream, started } = await startTopUp(2_500n);
    expect(started.clientSecret).toMatch(/_secret_/);
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'completed' });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 2_500n });
    const credit = (await proc.walletEvents(walletId)).find((e) => e.type === 'WalletCredited');
    expect(credit?.data.entry).toMatchObject({
      debit: 'system:card_clearing',
      credit: `wallet:${walletId}`,
    });
  });

  it('fails without crediting when the payment fails', async () => {
    const { walletId, stream } = await startTopUp(422n); // the sandbox's "fails later"
    await proc.settle();
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'card_declined',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 0n });
  });

  it('fails at once when the card is declined outright', async () => {
    const { stream, started } = await startTopUp(402n);
    expect(started).toMatchObject({ ok: true, status: 'failed' });
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'card_declined',
    });
  });

  it('credits once when the provider reports the payment twice', async () => {
    const { walletId, stream } = await startTopUp(209n); // the sandbox's "reports twice"
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'completed' });
    expect((await types(stream)).filter((t) => t === 'PaymentSucceeded')).toHaveLength(1);
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 209n });
    const paid = (await proc.store.readStream(stream)).find((e) => e.type === 'PaymentSucceeded')!;
    const again = await proc.recorder.record({
      type: 'payment_succeeded',
      providerEventId: String(paid.data.providerEventId),
      objectId: String(paid.data.paymentIntentId),
      amountMinor: 209n,
      currency: 'USD',
      metadata: { saga: stream },
      occurredAt: new Date(AT),
    });
    expect(again).toBe('duplicate');
  });

  it('refunds the card when the wallet refuses the credit', async () => {
    const { walletId, stream } = await startTopUp(3_000n);
    await proc.must(walletId, {
      type: 'Freeze',
      commandId: `freeze-${walletId}`,
      at: AT,
      reason: 'review',
    });
    await proc.settle();
    expect(await types(stream)).toEqual(
      expect.arrayContaining([
        'PaymentSucceeded',
        'TopUpRefundDue',
        'TopUpRefunded',
        'TopUpFailed',
      ]),
    );
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'wallet_frozen',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 0n });
  });

  it('times out durably, and refunds a payment that arrives after', async () => {
    n++;
    const walletId = deriveId('topup-test-wallet', String(n));
    await proc.openWallet(walletId, 'carol', 'USD');
    const stream = sagaStreamId('topup', deriveId('topup-timeout', String(n)));
    const request = {
      topUpId: stream.slice(6),
      requestedBy: 'carol',
      walletId,
      ownerId: 'carol',
      amountMinor: 204n,
      currency: 'USD',
      timeoutAt: AT,
      at: AT,
    };
    await proc.streams.record(stream, {
      type: 'StartTopUp',
      commandId: `req-${stream}`,
      request,
    });
    const intent = await proc.gateway.createPaymentIntent({
      amountMinor: 204n,
      currency: 'USD',
      customerRef: 'c',
      metadata: { saga: stream },
      idempotencyKey: `${stream}:intent`,
    });
    await proc.streams.record(stream, {
      type: 'RecordPaymentIntent',
      commandId: `intent-${stream}`,
      result: { ok: true, paymentIntentId: intent.paymentIntentId },
      at: AT,
    });
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'failed', failureReason: 'timed_out' });

    proc.gateway.settlePayment(intent.paymentIntentId, 'succeeded');
    await proc.settle();
    expect(await types(stream)).toEqual(
      expect.arrayContaining(['TopUpTimedOut', 'PaymentSucceeded', 'TopUpRefunded']),
    );
    expect(await summary(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'payment_after_timeout',
    });
    expect(await proc.wallet(walletId)).toMatchObject({ postedMinor: 0n });
  });

  it('resumes after a crash between the credit and its recording, crediting once', async () => {
    const doomed = new MovementProcess(
      database.db,
      crashingWallets((c) => c.type === 'Credit' && c.kind === 'top_up'),
      proc.gateway,
    );
    const { walletId, stream } = await startTopUp(1_200n, doomed);
    await proc.gateway.idle();
    await doomed.driver.drain();
    await doomed.close();
    expect(await summary(stream)).toMatchObject({ phase: 'paid' });
    await proc.settle();
    expect(await summary(stream)).toMatchObject({ status: 'completed' });
    expect(
      (await proc.walletEvents(walletId)).filter((e) => e.type === 'WalletCredited'),
    ).toHaveLength(1);
  });
});
