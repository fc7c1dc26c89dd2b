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

  /** How many command ids this stream remembers. */
  get recentCount(): number {
    return this.recentCommandIds.size;
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
  readonly maxStreams: number;
  /** Command ids remembered per stream for duplicate detection (default `MAX_RECENT_COMMANDS`). */
  readonly maxRecentCommands?: number;
  /**
   * Most command ids remembered across all streams. A stream's window of
   * recent ids costs far more memory than its state, so the streams alone do
   * not bound the cache: past this total the least recently used streams are
   * dropped too.
   */
  readonly maxCommandIds: number;
}

/**
 * A stream's window of remembered command ids. The two limits across streams
 * have no default here: they are configuration (`LEDGER_STATE_CACHE_ENTRIES`,
 * `LEDGER_STATE_CACHE_COMMAND_IDS`, whose defaults the config schema holds
 * and `readStateCacheOptions` reads). Measured on wallets (`npm run
 * bench:state-cache`, docs/performance.md): a cached stream costs about
 * 0.8 KB and a remembered command id about 80 bytes.
 */
export const MAX_RECENT_COMMANDS = 4_096;

interface Slot<S> {
  readonly entry: CachedStream<S>;
  /** The entry's remembered ids when it was stored, as counted in `commandIds`. */
  readonly ids: number;
}

/**
 * A least-recently-used cache of stream states with two limits: streams and
 * remembered command ids. Dropping an entry loses nothing: the next command
 * on that stream reads it back from the store, and the store itself refuses
 * an event id it already holds, so a duplicate is still caught.
 */
export class StateCache<S> {
  private readonly entries = new Map<string, Slot<S>>();
  private readonly maxStreams: number;
  private readonly maxRecent: number;
  private readonly maxCommandIds: number;
  private commandIds = 0;
  private evicted = 0;

  constructor(options: StateCacheOptions) {
    this.maxStreams = options.maxStreams;
    this.maxCommandIds = options.maxCommandIds;
    // One stream's window may not exceed the whole budget, or storing it would evict everything else.
    this.maxRecent = Math.min(options.maxRecentCommands ?? MAX_RECENT_COMMANDS, this.maxCommandIds);
    if (!(this.maxStreams >= 1 && this.maxRecent >= 0))
      throw new RangeError('A state cache needs room for at least one stream');
  }

  empty(initial: S): CachedStream<S> {
    return new CachedStream(initial, undefined, new Set(), this.maxRecent);
  }

  get(streamId: string): CachedStream<S> | undefined {
    const slot = this.entries.get(streamId);
    if (slot) {
      // Re-insert to mark it most recently used.
      this.entries.delete(streamId);
      this.entries.set(streamId, slot);
    }
    return slot?.entry;
  }

  set(streamId: string, entry: CachedStream<S>): void {
    this.remove(streamId);
    const ids = entry.recentCount;
    this.entries.set(streamId, { entry, ids });
    this.commandIds += ids;
    // Each pass drops one entry, so this ends within `size` passes; the entry
    // just stored is the most recent and goes last, and is always kept.
    while (
      this.entries.size > 1 &&
      (this.entries.size > this.maxStreams || this.commandIds > this.maxCommandIds)
    ) {
      this.remove(this.entries.keys().next().value as string);
      this.evicted++;
    }
  }

  /** Drops a stream's entry: its next load reads it from the store from its first event. */
  forget(streamId: string): void {
    this.remove(streamId);
  }

  markStale(streamId: string): void {
    const slot = this.entries.get(streamId);
    if (slot) this.entries.set(streamId, { entry: slot.entry.markStale(), ids: slot.ids });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Command ids remembered across all cached streams. */
  get rememberedCommandIds(): number {
    return this.commandIds;
  }

  /** Entries dropped to stay within the limits since the cache was made. */
  get evictions(): number {
    return this.evicted;
  }

  private remove(streamId: string): void {
    const slot = this.entries.get(streamId);
    if (!slot) return;
    this.entries.delete(streamId);
    this.commandIds -= slot.ids;
  }
}
