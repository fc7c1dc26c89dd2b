import { must } from '@ledger/invariant';
import type { SqlDatabase, SqlExecutor } from '@ledger/database';
import {
  IdempotencyViolationError,
  START,
  WrongExpectedVersionError,
  type AppendError,
  type AppendRequest,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamsRequest,
  type RecordedEvent,
  type StreamRevision,
} from '../event-store.port';
import { validateAppendGroup, validateAppendRequest } from '../append-request';
import { contentHash } from '../hash-chain';
import { readLimit, readStreamsLimits } from '../read-limit';
import {
  EVENT_COLUMNS,
  positionKey,
  toBigInt,
  toPosition,
  toRecordedEvent,
  type EventRow,
} from './sql-values';

/**
 * Most requests in one round trip; `appendMany` splits larger calls into
 * batches of this size, `appendGroups` into batches of whole groups.
 */
export const MAX_REQUESTS_PER_BATCH = 256;
/** Most events in one round trip, so that one batch never builds an unbounded statement. */
export const MAX_EVENTS_PER_BATCH = 4_096;

/**
 * What `es_append_batch` (migrations/001_event_store.sql, 074 for groups)
 * returns for each request. `aborted` is a group member's that was not
 * written because another member of its group was refused.
 */
type BatchOutcome =
  | {
      readonly status: 'ok';
      readonly revision: string;
      readonly commit: string;
      readonly prepare: string;
    }
  | { readonly status: 'conflict'; readonly actual: string }
  | { readonly status: 'overlap'; readonly detail: string }
  | { readonly status: 'aborted' };

export interface SqlEventStoreOptions {
  /** Close the database with the store. Off by default: the database is usually shared. */
  readonly ownsDatabase?: boolean;
}

/**
 * The event store on Postgres, through either SQL adapter (pg or PGlite); both
 * run the same SQL. Every append, single or batched, is one call of the
 * `es_append_batch` function: one statement, one round trip, one transaction,
 * with an outcome per request.
 *
 * Idempotency is at least as strong as EventStoreDB's: an append whose event
 * ids are all already in the stream, at consecutive revisions in the same
 * order, returns the first append's result and writes nothing, whatever its
 * expectation and however far the stream has moved on since (EventStoreDB
 * recognises a retry only while the events are in its recent-commit cache, and
 * with `any` only on a best-effort basis). Some but not all ids known, or ids
 * known in another stream, is an IdempotencyViolationError: event ids are
 * unique across the whole log here, which EventStoreDB does not enforce.
 */
export class SqlEventStore implements EventStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly options: SqlEventStoreOptions = {},
  ) {}

  /**
   * @throws WrongExpectedVersionError when the stream is not where `expected` says.
   * @throws IdempotencyViolationError when the event ids were partly written before, or written to another stream.
   * @throws InvalidAppendError for a malformed request (no events, an id that is not a UUID, …).
   */
  async append(
    streamId: string,
    events: readonly EventData[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const [outcome] = await this.appendMany([{ streamId, events, expected }]);
    if (outcome instanceof Error) throw outcome;
    return must(outcome, 'append outcome');
  }

  /**
   * Group commit: the requests go to the database in batches of at most
   * `MAX_REQUESTS_PER_BATCH`, each batch one transaction. A conflict or an
   * overlap is that request's outcome and does not fail the others.
   * @throws InvalidAppendError (before writing anything) when any request is malformed.
   */
  async appendMany(requests: readonly AppendRequest[]): Promise<Array<AppendResult | AppendError>> {
    requests.forEach(validateAppendRequest);
    const outcomes: Array<AppendResult | AppendError> = [];
    for (const batch of splitIntoBatches(requests, (request) => [request])) {
      outcomes.push(...(await appendBatch(this.db, batch)));
    }
    return outcomes;
  }

  /**
   * The groups go to the database in batches of whole groups (a group never
   * spans two round trips), each batch one transaction, within the limits of
   * `appendMany`'s batches. Each group is decided whole in the database
   * (es_append_locked, migrations/074_event_append_groups.sql): all its
   * appends are written or none is, and its outcome is its results or its
   * first member's error.
   * @throws InvalidAppendError (before writing anything) when any group or request is malformed.
   */
  async appendGroups(
    groups: readonly (readonly AppendRequest[])[],
  ): Promise<Array<AppendResult[] | AppendError>> {
    groups.forEach(validateAppendGroup);
    const outcomes: Array<AppendResult[] | AppendError> = [];
    for (const batch of splitIntoBatches(groups, (group) => group)) {
      const requests = batch.flat();
      const keys = batch.flatMap((group, key) => group.map(() => key));
      const answers = await sendBatch(this.db, requests, keys);
      let at = 0;
      for (const group of batch) {
        outcomes.push(toGroupOutcome(group, answers.slice(at, at + group.length)));
        at += group.length;
      }
    }
    return outcomes;
  }

  /**
   * Appends inside the caller's transaction, so that the events commit or
   * roll back together with the caller's other writes. It must be the
   * transaction's first write (the database refuses it otherwise): the
   * transaction id is the first half of every event's position and has to be
   * taken after the streams are locked (see es_append_batch). The streams stay
   * locked until the transaction ends, and `readAll` returns the events only
   * after it commits. At most `MAX_REQUESTS_PER_BATCH` requests, one call per
   * transaction.
   */
  async appendManyIn(
    tx: SqlExecutor,
    requests: readonly AppendRequest[],
  ): Promise<Array<AppendResult | AppendError>> {
    requests.forEach(validateAppendRequest);
    const batches = splitIntoBatches(requests, (request) => [request]);
    if (batches.length > 1) {
      throw new RangeError(
        `appendManyIn takes at most ${MAX_REQUESTS_PER_BATCH} requests and ${MAX_EVENTS_PER_BATCH} events`,
      );
    }
    const [batch] = batches;
    return batch === undefined ? [] : appendBatch(tx, batch);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = readLimit(options.maxCount);
    const from = options.fromRevision ?? 0n;
    if (limit === 0) return [];
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND revision >= $2
       ORDER BY revision
       LIMIT $3`,
      [streamId, (from < 0n ? 0n : from).toString(), limit],
    );
    return rows.map(toRecordedEvent);
  }

  /**
   * One statement for all the requests: each is a lateral index range scan
   * of its own stream, as `readStream`'s, numbered so that the rows return
   * to the request that asked (the same stream may be asked for twice).
   */
  async readStreams(requests: readonly ReadStreamsRequest[]): Promise<RecordedEvent[][]> {
    const limits = readStreamsLimits(requests);
    const answers = requests.map((): RecordedEvent[] => []);
    if (requests.length === 0) return answers;
    const { rows } = await this.db.query<EventRow & { request: unknown }>(
      `SELECT r.request, e.* FROM
         unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS r(stream_id, from_revision, max_count, request)
         CROSS JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM events
            WHERE events.stream_id = r.stream_id AND events.revision >= r.from_revision
            ORDER BY events.revision
            LIMIT r.max_count) e
       ORDER BY r.request, e.revision`,
      [
        requests.map((r) => r.streamId),
        requests.map((r) => {
          const from = r.fromRevision ?? 0n;
          return (from < 0n ? 0n : from).toString();
        }),
        limits,
      ],
    );
    for (const row of rows) {
      const answer = must(answers[Number(row.request) - 1], 'readStreams request');
      answer.push(toRecordedEvent(row));
    }
    return answers;
  }

  async streamRevision(streamId: string): Promise<StreamRevision> {
    const { rows } = await this.db.query<{ revision: unknown }>(
      'SELECT revision FROM streams WHERE stream_id = $1',
      [streamId],
    );
    const [row] = rows;
    return row === undefined ? 'no_stream' : toBigInt(row.revision, 'revision');
  }

  /**
   * The log in (tx_id, seq) order, strictly after `after`. A bigserial alone
   * cannot give a gap-free order: sequence values are taken at insert time,
   * so a transaction holding seq 10 may commit after one holding seq 11, and a
   * reader that saw 11 and resumes from `seq > 11` never sees 10. So events
   * are ordered by their transaction first, and only transactions older than
   * the oldest one still running (the snapshot's xmin) are read: all of those
   * have committed or aborted, so nothing can appear before the returned
   * position later. The price: one long writing transaction anywhere in the
   * cluster holds readers back until it ends. Appends take their transaction
   * id only after locking their streams (see es_append_batch), so this order
   * also keeps every stream's events in revision order.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = readLimit(options.maxCount);
    if (limit === 0) return [];
    const [commit, prepare] = positionKey(options.after ?? START);
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE (tx_id, seq) > ($1::xid8, $2::bigint)
         AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY tx_id, seq
       LIMIT $3`,
      [commit, prepare, limit],
    );
    return rows.map(toRecordedEvent);
  }

  /** The last position `readAll` can return now, under the same visibility rule. */
  async headPosition(): Promise<Position> {
    const { rows } = await this.db.query<{ tx_id: unknown; seq: unknown }>(
      `SELECT tx_id, seq FROM events
       WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY tx_id DESC, seq DESC
       LIMIT 1`,
    );
    const [row] = rows;
    return row === undefined ? START : toPosition(row.tx_id, row.seq);
  }

  async lastCommittedPosition(): Promise<Position> {
    const { rows } = await this.db.query<{ tx_id: unknown; seq: unknown }>(
      'SELECT tx_id, seq FROM events ORDER BY tx_id DESC, seq DESC LIMIT 1',
    );
    const [row] = rows;
    return row === undefined ? START : toPosition(row.tx_id, row.seq);
  }

  async close(): Promise<void> {
    if (this.options.ownsDatabase) await this.db.close();
  }
}

async function appendBatch(
  executor: SqlExecutor,
  batch: readonly AppendRequest[],
): Promise<Array<AppendResult | AppendError>> {
  const outcomes = await sendBatch(executor, batch);
  return outcomes.map((outcome, i) => toAppendOutcome(must(batch[i], 'append request'), outcome));
}

/**
 * One call of es_append_batch. `groupKeys`, one per request, makes the
 * requests with the same key (consecutive ones) a group; without it every
 * request is decided alone.
 */
async function sendBatch(
  executor: SqlExecutor,
  batch: readonly AppendRequest[],
  groupKeys?: readonly number[],
): Promise<BatchOutcome[]> {
  const payload = batch.map(({ streamId, events, expected }, i) => ({
    s: streamId,
    x: typeof expected === 'bigint' ? expected.toString() : expected,
    // Each event's content hash; es_append_locked chains it to the stream's head.
    e: events.map((event) => ({
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: event.metadata ?? {},
      h: contentHash(event),
    })),
    // Left out of the JSON when undefined: a request alone.
    g: groupKeys?.[i],
  }));
  const { rows } = await executor.query<{ outcomes: BatchOutcome[] }>(
    'SELECT es_append_batch($1::jsonb) AS outcomes',
    [JSON.stringify(payload)],
  );
  const { outcomes } = must(rows[0], 'es_append_batch row');
  if (outcomes.length !== batch.length) {
    throw new Error(`es_append_batch answered ${outcomes.length} of ${batch.length} requests`);
  }
  return outcomes;
}

/** A group's results, or the error of its first member that was refused. */
function toGroupOutcome(
  group: readonly AppendRequest[],
  outcomes: readonly BatchOutcome[],
): AppendResult[] | AppendError {
  const results: AppendResult[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const request = must(group[i], 'group member');
    if (outcome.status === 'aborted') continue;
    const mapped = toAppendOutcome(request, outcome);
    if (mapped instanceof Error) return mapped;
    results.push(mapped);
  }
  if (results.length !== group.length) {
    throw new Error('es_append_batch aborted a group without the error that refused it');
  }
  return results;
}

function toAppendOutcome(
  request: AppendRequest,
  outcome: BatchOutcome,
): AppendResult | AppendError {
  switch (outcome.status) {
    case 'ok':
      return {
        nextRevision: toBigInt(outcome.revision, 'revision'),
        position: toPosition(outcome.commit, outcome.prepare),
      };
    case 'conflict': {
      const actual = toBigInt(outcome.actual, 'revision');
      return new WrongExpectedVersionError(
        request.streamId,
        request.expected,
        actual < 0n ? 'no_stream' : actual,
      );
    }
    case 'overlap':
      return new IdempotencyViolationError(request.streamId, outcome.detail);
    case 'aborted':
      // Only a group member is aborted, and groups are mapped by toGroupOutcome.
      throw new Error(`es_append_batch aborted a request of stream ${request.streamId} alone`);
  }
}

/**
 * Consecutive slices of `items` that respect both per-round-trip limits,
 * counting the requests each item stands for (a request, or a group's); an
 * item is never split, and a single one always fits (see
 * MAX_EVENTS_PER_APPEND and MAX_STREAMS_PER_GROUP).
 */
function splitIntoBatches<T>(
  items: readonly T[],
  requestsOf: (item: T) => readonly AppendRequest[],
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let requests = 0;
  let events = 0;
  for (const item of items) {
    const own = requestsOf(item);
    const ownEvents = own.reduce((n, r) => n + r.events.length, 0);
    const full =
      requests + own.length > MAX_REQUESTS_PER_BATCH || events + ownEvents > MAX_EVENTS_PER_BATCH;
    if (full && current.length > 0) {
      batches.push(current);
      current = [];
      requests = 0;
      events = 0;
    }
    current.push(item);
    requests += own.length;
    events += ownEvents;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
