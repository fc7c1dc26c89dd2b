import { must } from '@ledger/invariant';

export class StreamBusyError extends Error {
  override readonly name = 'StreamBusyError';
}

/** Holds a stream's lane while `run`'s promise is pending: nothing else of the lane is run meanwhile. */
interface Exclusive {
  readonly exclusive: true;
  run(): Promise<void>;
}

type LaneItem<T> = T | Exclusive;

export interface StreamLanesOptions<T> {
  /** Most items taken from a lane for one `process` call. */
  readonly maxCoalesced: number;
  /** Most items waiting in one lane; beyond it `join` refuses with `StreamBusyError`. */
  readonly maxQueued: number;
  /** Runs the items taken together from a stream's lane; one call per lane at a time. */
  process(streamId: string, batch: T[]): Promise<void>;
  /** `process` threw: every item of its batch shares the error. */
  failed(batch: readonly T[], error: unknown): void;
}

/**
 * One queue per stream: items of a stream are processed one batch at a
 * time, in arrival order, each batch everything that waited (up to
 * `maxCoalesced`). A caller may also hold a lane (`hold`): the lane's items
 * that arrive meanwhile wait, as behind a batch in flight.
 */
export class StreamLanes<T extends object> {
  private readonly lanes = new Map<string, Array<LaneItem<T>>>();

  constructor(private readonly options: StreamLanesOptions<T>) {}

  /** Queues an item on its stream's lane; `refuse` is told when the lane is full. */
  join(streamId: string, item: T, refuse: (error: Error) => void): void {
    this.enter(streamId, item, refuse);
  }

  /**
   * Holds several lanes at once: the caller's turn is taken in every lane
   * in the same instant, and the lanes are its once it has reached the head
   * of each (each stays blocked from the moment the turn reaches it). Two
   * callers whose sets overlap are in the same order in every lane they
   * share, so neither waits for the other in a cycle. Resolves with the
   * function that gives them all back.
   */
  holdAll(streamIds: readonly string[]): Promise<() => void> {
    const ids = [...new Set(streamIds)];
    return new Promise((resolve, reject) => {
      let release = () => {};
      const released = new Promise<void>((done) => (release = done));
      let waiting = ids.length;
      let refused = false;
      const turn = (): Exclusive => ({
        exclusive: true,
        run: () => {
          if (--waiting === 0 && !refused) resolve(release);
          return released;
        },
      });
      for (const id of ids)
        this.enter(id, turn(), (error) => {
          // A full lane: the turns already taken are given back at once.
          refused = true;
          release();
          reject(error);
        });
      if (ids.length === 0) resolve(release);
    });
  }

  private enter(streamId: string, item: LaneItem<T>, refuse: (error: Error) => void): void {
    let lane = this.lanes.get(streamId);
    if (lane && lane.length >= this.options.maxQueued) {
      refuse(new StreamBusyError(`Too many commands queued for ${streamId}`));
      return;
    }
    if (lane) {
      lane.push(item);
      return;
    }
    lane = [item];
    this.lanes.set(streamId, lane);
    void this.drain(streamId, lane);
  }

  private async drain(streamId: string, lane: Array<LaneItem<T>>): Promise<void> {
    try {
      while (lane.length > 0) {
        const head = must(lane[0], 'lane head');
        if (isExclusive(head)) {
          lane.shift();
          await head.run();
          continue;
        }
        const holdAt = lane.findIndex(isExclusive);
        const batch = lane.splice(
          0,
          Math.min(holdAt === -1 ? lane.length : holdAt, this.options.maxCoalesced),
        ) as T[];
        try {
          await this.options.process(streamId, batch);
        } catch (error) {
          this.options.failed(batch, error);
        }
      }
    } finally {
      this.lanes.delete(streamId);
    }
  }
}

function isExclusive(item: object): item is Exclusive {
  return 'exclusive' in item;
}
