import type { EventData, EventStore, RecordedEvent } from './event-store.port';
import { GENESIS_HASH, eventHash } from './hash-chain';
import { newStream, someEvents } from './contract-events';

/**
 * A fixed stream whose hashes are written down (docs/audit.md repeats them),
 * so that every adapter is held to the same bytes, not only to itself.
 */
export const CHAIN_VECTOR_STREAM = 'account-chain-vector';
export const CHAIN_VECTOR_EVENTS: readonly EventData[] = [
  {
    id: '7d3f1f9e-5f62-4a1e-9a0b-2d6b7f3c1a01',
    type: 'WalletOpened',
    data: { walletId: 'chain-vector', currency: 'EUR', ownerId: 'ü-ß' },
    metadata: { correlationId: 'c-1' },
  },
  {
    id: '7D3F1F9E-5F62-4A1E-9A0B-2D6B7F3C1A02',
    type: 'WalletCredited',
    data: { amountMinor: '1050', contra: { kind: 'system', name: 'card_clearing' }, n: 1.5 },
  },
];
export const CHAIN_VECTOR_HASHES = [
  '55907f29294db4f3be2a14543aab466fd97f38d4cfac840ad97456bba588da94',
  'be53bf27fc5e4c0bdde9557d36bef7fb284f1d6233fd0404078ea24175ef046b',
];

/** Recomputes a stream's chain from its events alone, as an auditor would. */
export function recomputeChain(events: readonly RecordedEvent[]): string[] {
  let previous = GENESIS_HASH;
  return events.map((event) => {
    previous = eventHash(previous, event.streamId, event.revision, event);
    return previous;
  });
}

export function hashChainContract(store: () => EventStore): void {
  it('chains every event to the one before it in its stream, as hash-chain.ts computes it', async () => {
    const [stream, other] = [newStream(), newStream()];
    await store().append(stream, someEvents(2), 'no_stream');
    await store().append(other, someEvents(1), 'any');
    await store().appendMany([
      { streamId: stream, events: someEvents(2), expected: 1n },
      { streamId: other, events: someEvents(1), expected: 'any' },
      { streamId: stream, events: someEvents(1), expected: 'stream_exists' },
    ]);
    for (const id of [stream, other]) {
      const events = await store().readStream(id);
      expect(events.map((e) => e.hash)).toEqual(recomputeChain(events));
      expect(new Set(events.map((e) => e.hash)).size).toBe(events.length);
    }
    expect(await store().readStream(stream)).toHaveLength(5);
  });

  it('the global log carries the same hashes as the streams', async () => {
    const stream = newStream();
    await store().append(stream, someEvents(3), 'no_stream');
    const fromStream = await store().readStream(stream);
    const after = { commit: -1n, prepare: -1n };
    const fromLog: RecordedEvent[] = [];
    for (
      let page = await store().readAll({ after }), last = page.at(-1);
      last;
      last = page.at(-1)
    ) {
      fromLog.push(...page.filter((e) => e.streamId === stream));
      page = await store().readAll({ after: last.position });
    }
    expect(fromLog.map((e) => e.hash)).toEqual(fromStream.map((e) => e.hash));
    expect(fromLog.map((e) => e.metadata)).toEqual(fromStream.map((e) => e.metadata));
  });

  it('gives the written-down hashes for the fixed vector stream', async () => {
    await store().append(CHAIN_VECTOR_STREAM, CHAIN_VECTOR_EVENTS, 'no_stream');
    const events = await store().readStream(CHAIN_VECTOR_STREAM);
    expect(events.map((e) => e.hash)).toEqual(CHAIN_VECTOR_HASHES);
    expect(events.map((e) => e.metadata)).toEqual([{ correlationId: 'c-1' }, {}]);
  });
}
