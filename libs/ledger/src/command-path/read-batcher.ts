import { must } from '@ledger/invariant';
import {
  MAX_READ_COUNT,
  MAX_STREAMS_PER_READ,
  type EventStore,
  type ReadStreamsRequest,
  type RecordedEvent,
} from '@ledger/event-store';

export interface ReadBatcherOptions {
  /** Events asked for per stream in a batched read; a stream with more is read on by the caller. */
  readonly pageSize?: number;
  /** Most `readStreams` calls in flight at once. */
  readonly maxInFlight?: number;
}

interface Pending {
  readonly request: ReadStreamsRequest;
  resolve(events: RecordedEvent[]): void;
  reject(error: unknown): void;
}

/**
 * The reads of cold streams, grouped like the appends (AppendBatcher): reads
 * that arrive while earlier ones are in flight wait and then go to the store
 * together in one `readStreams`, one round trip for all of them. Concurrent
 * commands on streams not cached (a wallet picked at random among a million)
 * would otherwise each take a connection and a round trip to read a few
 * events. A read alone goes out as one `readStream`. Each read keeps its own
 * answer, exactly what `readStream` returns for it.
 */
export class ReadBatcher {
  /** Events per stream in one batched read: a first page, enough for most streams at once. */
  readonly pageSize: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private pending: Pending[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(
    private readonly store: EventStore,
    options: ReadBatcherOptions = {},
  ) {
    this.pageSize = Math.min(Math.max(options.pageSize ?? 128, 1), MAX_READ_COUNT);
    // Within both limits of one readStreams call.
    this.maxBatch = Math.min(MAX_STREAMS_PER_READ, Math.floor(MAX_READ_COUNT / this.pageSize));
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** At most `pageSize` events of the stream from `fromRevision`, as `readStream` answers. */
  read(streamId: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        request: { streamId, fromRevision, maxCount: this.pageSize },
        resolve,
        reject,
      });
      this.scheduleFlush();
    });
  }

  /** On the next turn, so that the reads of commands started in the same turn share one call. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.readBatch(batch).finally(() => {
        this.inFlight--;
        this.scheduleFlush();
      });
    }
  }

  private async readBatch(batch: Pending[]): Promise<void> {
    try {
      const [only] = batch;
      if (batch.length === 1 && only) {
        const { streamId, ...options } = only.request;
        only.resolve(await this.store.readStream(streamId, options));
        return;
      }
      const answers = await this.store.readStreams(batch.map((p) => p.request));
      batch.forEach((p, i) => p.resolve(must(answers[i], `read answer ${i}`)));
    } catch (error) {
      // The whole call failed (an outage): every read in it shares the failure.
      for (const p of batch) p.reject(error);
    }
  }
}
