import { must } from '@ledger/invariant';
import {
  MAX_READ_COUNT,
  MAX_STREAMS_PER_READ,
  type EventStore,
  type ReadStreamsRequest,
  type RecordedEvent,
} from '@ledger/event-store';
import { Batcher, type Waiting } from './batcher';

export interface ReadBatcherOptions {
  /** Events asked for per stream in a batched read; a stream with more is read on by the caller. */
  readonly pageSize?: number;
  /** Most `readStreams` calls in flight at once. */
  readonly maxInFlight?: number;
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
  private readonly batcher: Batcher<ReadStreamsRequest, RecordedEvent[]>;

  constructor(
    private readonly store: EventStore,
    options: ReadBatcherOptions = {},
  ) {
    this.pageSize = Math.min(Math.max(options.pageSize ?? 128, 1), MAX_READ_COUNT);
    this.batcher = new Batcher({
      // Within both limits of one readStreams call.
      maxBatch: Math.min(MAX_STREAMS_PER_READ, Math.floor(MAX_READ_COUNT / this.pageSize)),
      maxInFlight: options.maxInFlight ?? 2,
      run: (batch) => this.readBatch(batch),
    });
  }

  /** At most `pageSize` events of the stream from `fromRevision`, as `readStream` answers. */
  read(streamId: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    return this.batcher.submit({ streamId, fromRevision, maxCount: this.pageSize });
  }

  private async readBatch(batch: Waiting<ReadStreamsRequest, RecordedEvent[]>[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only) {
      const { streamId, ...options } = only.request;
      only.resolve(await this.store.readStream(streamId, options));
      return;
    }
    const answers = await this.store.readStreams(batch.map((p) => p.request));
    batch.forEach((p, i) => p.resolve(must(answers[i], `read answer ${i}`)));
  }
}
