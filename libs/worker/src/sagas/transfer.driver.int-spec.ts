import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { deriveId, stepId } from '@ledger/ledger';
import {
  AT,
  closeMovementSpec,
  crashingWallets,
  MovementProcess,
  openMovementSpec,
  openWalletPair,
  requestTransferOn,
  sagaSummary,
} from '@ledger/testing/movements';

describe.each(databaseFactories())('transfer saga driven on $name', (factory) => {
  let database: TestDatabase;
  let proc: MovementProcess;

  beforeAll(async () => {
    ({ database, proc } = await openMovementSpec(factory));
  });
  afterAll(() => closeMovementSpec({ database, proc }));

  let n = 0;
  /** Fresh wallets and a requested transfer per test: tests share one database, isolated by ids. */
  async function requestTransfer(
    options: {
      fund?: bigint;
      amount?: bigint;
      toCurrency?: string;
      credit?: bigint;
      creditCurrency?: string;
    } = {},
  ) {
    n++;
    const { from, to } = await openWalletPair(proc, ['test-wallet', String(n)], options);
    const stream = await requestTransferOn(
      proc,
      deriveId('test-transfer', String(n)),
      { from, to },
      {
        amountMinor: options.amount,
        creditAmountMinor: options.credit,
        creditCurrency: options.creditCurrency ?? options.toCurrency,
        ...(options.toCurrency &&
          options.toCurrency !== 'USD' && { fx: { fxRate: '0.92', fxSource: 'configured' } }),
      },
    );
    return { from, to, stream };
  }

  const statusOf = (stream: string) => sagaSummary(proc, stream);

  it('moves the money: hold, credit, capture, completed', async () => {
    const { from, to, stream } = await requestTransfer();
    await proc.driver.drain();
    expect(await statusOf(stream)).toMatchObject({ status: 'completed', phase: 'completed' });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
    const row = await database.db.query<{ status: string }>(
      'SELECT status FROM movements WHERE movement_id = $1',
      [stream],
    );
    expect(row.rows).toEqual([{ status: 'completed' }]);
  });

  it('fails without compensation when the sender cannot cover it', async () => {
    const { from, stream } = await requestTransfer({ fund: 100n });
    await proc.driver.drain();
    expect(await statusOf(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'exceeds_available',
    });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 100n, heldMinor: 0n });
  });

  it('releases the hold when the recipient refuses the credit (frozen)', async () => {
    const { from, to, stream } = await requestTransfer();
    await proc.must(to, { type: 'Freeze', commandId: `freeze-${to}`, at: AT, reason: 'review' });
    await proc.driver.drain();
    expect(await statusOf(stream)).toMatchObject({
      status: 'failed',
      phase: 'failed',
      failureReason: 'wallet_frozen',
    });
    const types = (await proc.store.readStream(stream)).map((e) => e.type);
    expect(types).toEqual([
      'TransferRequested',
      'TransferFundsHeld',
      'TransferCreditRefused',
      'TransferHoldReleased',
      'TransferFailed',
    ]);
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 1_000n, heldMinor: 0n });
  });

  it('releases the hold when the recipient wallet refuses the currency', async () => {
    const { from, stream } = await requestTransfer({ toCurrency: 'EUR', creditCurrency: 'USD' });
    await proc.driver.drain();
    expect(await statusOf(stream)).toMatchObject({
      status: 'failed',
      failureReason: 'currency_mismatch',
    });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 1_000n, heldMinor: 0n });
  });

  it('converts across currencies through system:fx, each currency balancing on its own', async () => {
    const { to, stream } = await requestTransfer({
      toCurrency: 'EUR',
      amount: 1_000n,
      credit: 920n,
    });
    await proc.driver.drain();
    expect(await statusOf(stream)).toMatchObject({ status: 'completed' });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 920n, currency: 'EUR' });
    const entries = (await proc.store.readAll({ maxCount: 10_000 }))
      .filter((e) => e.data.movementId === stream && e.data.entry)
      .map(
        (e) =>
          e.data.entry as { debit: string; credit: string; amountMinor: string; currency: string },
      );
    expect(entries).toEqual(
      expect.arrayContaining([
        { debit: 'system:fx', credit: `wallet:${to}`, amountMinor: '920', currency: 'EUR' },
        expect.objectContaining({ credit: 'system:fx', amountMinor: '1000', currency: 'USD' }),
      ]),
    );
  });

  it('resumes after a crash between the credit and its recording, and credits exactly once', async () => {
    const { from, to, stream } = await requestTransfer();
    const creditId = stepId(stream, 'credit');
    const doomed = new MovementProcess(
      database.db,
      crashingWallets((c) => c.commandId === creditId),
    );
    await doomed.driver.drain();
    await doomed.close();
    // The credit reached the wallet; the saga does not know yet.
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
    expect(await statusOf(stream)).toMatchObject({ phase: 'held' });

    const restarted = new MovementProcess(database.db);
    await restarted.driver.drain();
    await restarted.close();
    expect(await statusOf(stream)).toMatchObject({ status: 'completed' });
    expect(await proc.wallet(to)).toMatchObject({ postedMinor: 300n });
    expect(await proc.wallet(from)).toMatchObject({ postedMinor: 700n, heldMinor: 0n });
    const credits = (await proc.walletEvents(to)).filter((e) => e.type === 'WalletCredited');
    expect(credits).toHaveLength(1);
  });

  it('resumes after a crash right after the hold', async () => {
    const { from, stream } = await requestTransfer();
    const holdId = stepId(stream, 'hold');
    const doomed = new MovementProcess(
      database.db,
      crashingWallets((c) => c.commandId === holdId),
    );
    await doomed.driver.drain();
    await doomed.close();
    expect(await proc.wallet(from)).toMatchObject({ heldMinor: 300n });
    const restarted = new MovementProcess(database.db);
    await restarted.driver.drain();
    await restarted.close();
    expect(await statusOf(stream)).toMatchObject({ status: 'completed' });
    expect((await proc.walletEvents(from)).filter((e) => e.type === 'HoldPlaced')).toHaveLength(1);
  });

  it('records nothing twice when a finished saga is advanced again', async () => {
    const { stream } = await requestTransfer();
    await proc.driver.drain();
    const before = await proc.store.readStream(stream);
    await proc.driver.advance(stream, undefined);
    expect(await proc.store.readStream(stream)).toHaveLength(before.length);
    expect((await proc.streams.replay(stream))?.summary?.status).toBe('completed');
  });
});
