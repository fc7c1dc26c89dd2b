import type { EventMetadata, Position, RecordedEvent } from '../event-store.port';
import { toBigInt } from '../integers';

/** int8 and xid8 columns become bigints through the port's one `toBigInt`. */
export { toBigInt };

/** A row of `events` as the read queries select it. */
export interface EventRow {
  readonly seq: unknown;
  readonly tx_id: unknown;
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: unknown;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly created_at: Date | string;
  readonly hash: string | null;
}

export const EVENT_COLUMNS =
  'seq, tx_id, event_id, stream_id, revision, type, data, metadata, created_at, hash';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: toBigInt(row.revision, 'revision'),
    position: toPosition(row.tx_id, row.seq),
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
    ...(row.hash ? { hash: row.hash } : {}),
  };
}

export function toPosition(txId: unknown, seq: unknown): Position {
  return { commit: toBigInt(txId, 'tx_id'), prepare: toBigInt(seq, 'seq') };
}

/**
 * The (tx_id, seq) key to read strictly after. xid8 has no -1, and real
 * transaction ids start at 3, so the start of the log is (0, -1).
 */
export function positionKey(after: Position): [string, string] {
  if (after.commit < 0n) return ['0', '-1'];
  return [after.commit.toString(), after.prepare.toString()];
}
