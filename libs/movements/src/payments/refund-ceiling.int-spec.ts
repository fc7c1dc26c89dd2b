import { randomUUID } from 'node:crypto';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { recordStep, sagaStreamId, type TransferRequest } from '@ledger/ledger';
import { AT, MovementProcess } from '@ledger/testing/movements';

/**
 * The refund ceiling is kept on the payment's own stream: two processes,
 * each with its own command path and caches, racing refunds of one payment
 * are decided one after the other by the stream's expected revision, and
 * together never set aside more than was paid.
 */
describe.each(databaseFactories())('refunds racing across processes on $name', (factory) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await factory.create();
  });
  afterAll(() => t?.drop());

  it('sets aside no more than the payment, whichever process decides', async () => {
    const [one, two] = [new MovementProcess(t.db), new MovementProcess(t.db)];
    const id = randomUUID();
    const payment = sagaStreamId('transfer', id);
    const request: TransferRequest = {
      transferId: id,
      requestedBy: 'payer',
      fromWalletId: randomUUID(),
      fromOwnerId: 'payer',
      toWalletId: randomUUID(),
      toOwnerId: 'shop',
      amountMinor: 1_000n,
      currency: 'EUR',
      creditAmountMinor: 1_000n,
      creditCurrency: 'EUR',
      kind: 'payment',
      reference: 'order-1',
      at: AT,
    };
    await one.streams.record(payment, {
      type: 'StartTransfer',
      commandId: randomUUID(),
      request,
    });
    for (const step of ['hold', 'credit', 'capture'])
      expect(
        (await one.streams.record(payment, recordStep(payment, step, { ok: true }, AT))).ok,
      ).toBe(true);

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? one : two).streams.record(payment, {
          type: 'ReserveRefund',
          commandId: randomUUID(),
          refundId: sagaStreamId('transfer', randomUUID()),
          amountMinor: 300n,
          at: AT,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.rejection)).toEqual(
      Array(7).fill('refund_exceeds_payment'),
    );
    const events = (await two.streams.replay(payment))!.events;
    expect(events.filter((e) => e.type === 'PaymentRefundReserved')).toHaveLength(3);
  });
});
