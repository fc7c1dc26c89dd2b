/**
 * The command side's cache of stream states. A cached state is verified on
 * every write: the append states the cached revision, and the store refuses
 * it if another writer moved the stream. After such a refusal the entry is
 * marked stale and caught up by reading only the events after its revision.
 */
export class CachedStream<S> {
  constructor(
    readonly state: S,
    /** Revision of the last event folded into `state`; undefined for no stream. */
    readonly revision: bigint | undefined,
    private readonly recentCommandIds: Set<string>,
    private readonly maxRecent: number,
    readonly stale = false,
  ) {}

  /** Whether a command id was applied recently (the last `maxRecent` commands on this stream). */
  hasSeen(commandId: string): boolean {
    return this.recentCommandIds.has(commandId);
  }

  advance(state: S, revision: bigint, commandIds: readonly string[]): CachedStream<S> {
    for (const id of commandIds) {
      this.recentCommandIds.add(id);
      if (this.recentCommandIds.size > this.maxRecent) {
        // Sets iterate in insertion order: the first is the oldest.
        this.recentCommandIds.delete(this.recentCommandIds.values().next().value as string);
      }
    }
    return new CachedStream(state, revision, this.recentCommandIds, this.maxRecent);
  }

  fresh(): CachedStream<S> {
    return new CachedStream(this.state, this.revision, this.recentCommandIds, this.maxRecent);
  }

  markStale(): CachedStream<S> {
    return new CachedStream(this.state, this.revision, this.recentCommandIds, this.maxRecent, true);
  }
}

export interface StateCacheOptions {
  /** Most streams kept; the least recently used is dropped beyond it. */
  readonly maxStreams?: number;
  /** Command ids remembered per stream for duplicate detection. */
  readonly maxRecentCommands?: number;
}

export class StateCache<S> {
  private readonly entries = new Map<string, CachedStream<S>>();
  private readonly maxStreams: number;
  private readonly maxRecent: number;

  constructor(options: StateCacheOptions = {}) {
    this.maxStreams = options.maxStreams ?? 50_000;
    this.maxRecent = options.maxRecentCommands ?? 4_096;
  }

  empty(initial: S): CachedStream<S> {
    return new CachedStream(initial, undefined, new Set(), this.maxRecent);
  }

  get(streamId: string): CachedStream<S> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      // Re-insert to mark it most recently used.
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedStream<S>): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.maxStreams) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  markStale(streamId: string): void {
    const entry = this.entries.get(streamId);
    if (entry) this.entries.set(streamId, entry.markStale());
  }

  get size(): number {
    return this.entries.size;
  }
}
