import type { RecordedEvent } from './event-store.port';
import { GENESIS_HASH, eventHash } from './hash-chain';

/** How an event can fail the chain check, by name. */
export type ChainFault =
  /** The stored hash is not the one its content and predecessor give: this event was changed. */
  | 'hash_mismatch'
  /** No hash at all: written before the chain existed, or the hash was removed. */
  | 'unhashed_event'
  /** Not the revision after the stream's previous event: an event is missing or out of place. */
  | 'revision_gap';

export interface ChainFinding {
  readonly fault: ChainFault;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly expected?: string;
  readonly actual?: string;
}

export interface StreamHead {
  readonly revision: bigint;
  readonly hash: string;
}

/**
 * Checks events against their streams' hash chains, fed in log order (which
 * keeps each stream's revision order). Each event is recomputed from its own
 * content and its predecessor's stored hash, so an edited event is named
 * itself, not every event after it; a rewrite that also recomputed the hashes
 * after it is caught by the signed checkpoints of the heads instead. Keeps one
 * head per stream: memory grows with streams, not events.
 */
export class ChainCheck {
  readonly heads = new Map<string, StreamHead>();
  eventsChecked = 0;

  /**
   * `joinMidStream`: the events start part-way through the log, so a
   * stream's first event is where its chain is joined, trusted, not checked.
   */
  constructor(private readonly options: { joinMidStream?: boolean } = {}) {}

  /** The finding for this event, or undefined when it is where its chain says. */
  apply(event: RecordedEvent): ChainFinding | undefined {
    this.eventsChecked++;
    const head = this.heads.get(event.streamId);
    if (!head && this.options.joinMidStream && event.hash) {
      this.heads.set(event.streamId, { revision: event.revision, hash: event.hash });
      return undefined;
    }
    const previous = head?.hash ?? GENESIS_HASH;
    const expectedRevision = head ? head.revision + 1n : 0n;
    const recomputed = eventHash(previous, event.streamId, event.revision, event);
    // An unhashed event leaves the genesis hash as head, as the SQL store chains from it.
    this.heads.set(event.streamId, { revision: event.revision, hash: event.hash ?? GENESIS_HASH });
    const at = { eventId: event.id, streamId: event.streamId, revision: event.revision };
    if (event.revision !== expectedRevision) {
      return {
        fault: 'revision_gap',
        ...at,
        expected: String(expectedRevision),
        actual: String(event.revision),
      };
    }
    if (event.hash === undefined) return { fault: 'unhashed_event', ...at, expected: recomputed };
    if (event.hash !== recomputed) {
      return { fault: 'hash_mismatch', ...at, expected: recomputed, actual: event.hash };
    }
    return undefined;
  }
}
