import { InMemoryEventStore } from '@ledger/testing';
import { MAX_SAGA_EVENTS, MovementStreams, SagaStreamTooLong } from './movement-streams.service';

const at = '2026-01-01T00:00:00.000Z';
const stream = 'transfer-00000000-0000-4000-8000-000000000009';
const request = {
  transferId: stream.slice(9),
  requestedBy: 'alice',
  fromWalletId: 'wa',
  fromOwnerId: 'alice',
  toWalletId: 'wb',
  toOwnerId: 'bob',
  amountMinor: '500',
  currency: 'USD',
  creditAmountMinor: '500',
  creditCurrency: 'USD',
  at,
};

async function sagaWith(events: number): Promise<MovementStreams> {
  const store = new InMemoryEventStore();
  await store.append(stream, [{ id: 'r', type: 'TransferRequested', data: request }], 'no_stream');
  const refusals = Array.from({ length: events - 1 }, (_, i) => ({
    id: `e${i}`,
    type: 'TransferCreditRefused',
    data: { reason: 'again', at },
  }));
  if (refusals.length > 0) await store.append(stream, refusals, 'any');
  return new MovementStreams(store);
}

describe('MovementStreams.load', () => {
  it('folds a saga stream of exactly the most events it allows', async () => {
    const replayed = await (await sagaWith(MAX_SAGA_EVENTS)).replay(stream);
    expect(replayed?.events).toHaveLength(MAX_SAGA_EVENTS);
    expect(replayed?.revision).toBe(BigInt(MAX_SAGA_EVENTS - 1));
  });

  it('refuses, loudly, a saga stream with more events than it allows', async () => {
    const streams = await sagaWith(MAX_SAGA_EVENTS + 1);
    await expect(streams.replay(stream)).rejects.toThrow(SagaStreamTooLong);
    await expect(streams.replay(stream)).rejects.toThrow(`more than ${MAX_SAGA_EVENTS} events`);
  });

  it('refuses a stored saga event that is not what its type says', async () => {
    const store = new InMemoryEventStore();
    await store.append(
      stream,
      [{ id: 'r', type: 'TransferRequested', data: { ...request, amountMinor: 5 + 'x' } }],
      'no_stream',
    );
    await expect(new MovementStreams(store).replay(stream)).rejects.toThrow(
      /Malformed TransferRequested: amountMinor is not an exact integer/,
    );
  });
});
