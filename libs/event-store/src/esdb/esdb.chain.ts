import type { EventData, ExpectedRevision, RecordedEvent } from '../event-store.port';
import { GENESIS_HASH, eventHash, isHash } from '../hash-chain';

/**
 * The hash chain on EventStoreDB, which has no column for it: each event's
 * chain hash travels in its metadata under this key, and reads move it back to
 * `RecordedEvent.hash`. The content hash covers the caller's metadata only, so
 * an event hashes the same whichever adapter stored it.
 */
export const HASH_METADATA_KEY = '$hash';

/** Where an append joins its stream's chain, and the exact expectation that keeps it there. */
export interface ChainPoint {
  /** The hash of the event the append follows (GENESIS_HASH for a new stream). */
  readonly previous: string;
  readonly firstRevision: bigint;
  /**
   * The expectation sent to the server. `any` and `stream_exists` become the
   * head's exact revision, so that no other writer can slip in between the
   * head read here and the append: the chain would fork otherwise.
   */
  readonly expected: ExpectedRevision;
}

export function chainPointAfter(
  last: RecordedEvent | undefined,
  expected: ExpectedRevision,
): ChainPoint {
  if (!last) {
    // A missing stream: `stream_exists` and an exact revision make the server refuse.
    return {
      previous: GENESIS_HASH,
      firstRevision: 0n,
      expected: expected === 'any' ? 'no_stream' : expected,
    };
  }
  return {
    previous: last.hash ?? GENESIS_HASH,
    firstRevision: last.revision + 1n,
    expected: typeof expected === 'bigint' || expected === 'no_stream' ? expected : last.revision,
  };
}

/** The events as sent to the server: the caller's, each with its chain hash in the metadata. */
export function chainEvents(
  streamId: string,
  events: readonly EventData[],
  point: ChainPoint,
): EventData[] {
  let previous = point.previous;
  return events.map((event, i) => {
    previous = eventHash(previous, streamId, point.firstRevision + BigInt(i), event);
    return { ...event, metadata: { ...(event.metadata ?? {}), [HASH_METADATA_KEY]: previous } };
  });
}

/** Splits a stored event's metadata into the caller's metadata and the chain hash. */
export function splitHash(metadata: Record<string, unknown>): {
  metadata: Record<string, unknown>;
  hash?: string;
} {
  if (!(HASH_METADATA_KEY in metadata)) return { metadata };
  const { [HASH_METADATA_KEY]: hash, ...rest } = metadata;
  return isHash(hash) ? { metadata: rest, hash } : { metadata: rest };
}
