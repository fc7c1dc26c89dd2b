import {
  ANY,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  START,
  type EventData,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
} from '../event-store.port';
import { splitHash } from './esdb.chain';

/** Translation between the port's values and @eventstore/db-client's, for the EventStoreDB adapter. */

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

export function toEsdbEvent(event: EventData) {
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata ?? {},
  });
}

export interface EsdbRecorded {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: { commit: bigint; prepare: bigint };
}

export function fromEsdbEvent(event: EsdbRecorded): RecordedEvent {
  const { metadata, hash } = splitHash((event.metadata ?? {}) as Record<string, unknown>);
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position: event.position ? fromEsdbPosition(event.position) : START,
    data: event.data as Record<string, unknown>,
    metadata,
    createdAt: event.created,
    ...(hash ? { hash } : {}),
  };
}

export function fromEsdbPosition(p: { commit: bigint; prepare: bigint }): Position {
  return { commit: p.commit, prepare: p.prepare };
}

export function toEsdbPosition(
  p: Position,
): typeof ESDB_START | { commit: bigint; prepare: bigint } {
  return p.commit < 0n ? ESDB_START : { commit: p.commit, prepare: p.prepare };
}

/** The server's own bookkeeping ($stats, $settings, $metadata, …) is not part of the ledger's log. */
export function isSystemEvent(event: EsdbRecorded): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Drains a streaming read; a stream that does not exist reads as empty. */
export async function collect<E extends ResolvedEvent | AllStreamResolvedEvent, T>(
  read: AsyncIterable<E>,
  map: (resolved: E) => T | undefined,
): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const resolved of read) {
      const value = map(resolved);
      if (value !== undefined) out.push(value);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return out;
    throw error;
  }
  return out;
}
