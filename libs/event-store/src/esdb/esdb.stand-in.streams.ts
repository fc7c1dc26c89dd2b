import * as grpc from '@grpc/grpc-js';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp as BatchAppendRespType,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import type {
  AllFrom,
  ReadFrom,
  StandInExpected,
  StandInLog,
  StandInProposed,
} from './esdb.stand-in.log';
import * as m from './esdb.stand-in.messages';

/**
 * The stand-in's Streams service calls (esdb.stand-in.ts): Read, Append and
 * BatchAppend, each checking its request as the server does and answering
 * with the server's messages and errors.
 */

/** The server's default limit on the bytes of one append (MaxAppendSize, 1 MiB). */
const MAX_APPEND_SIZE = 1_048_576;
/** The most events one read returns, whatever its count asks: a bound on the stand-in's memory per call. */
const MAX_READ_EVENTS = 100_000;
/** Appends a BatchAppend call may have open at once before the stand-in refuses more. */
const MAX_PENDING_BATCHES = 1_000;

/** An append as the service performs it: the log's, plus whatever the stand-in writes after it. */
export type Commit = StandInLog['append'];

export function read(log: StandInLog, call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
  const options = call.request.getOptions();
  if (!options) return void call.emit('error', invalid('options are required'));
  if (options.hasSubscription() || options.hasFilter()) {
    return void call.emit(
      'error',
      m.rpcError(grpc.status.UNIMPLEMENTED, 'the stand-in serves plain reads only'),
    );
  }
  const asked = BigInt(options.getCount() || '0');
  const count = Number(asked > BigInt(MAX_READ_EVENTS) ? BigInt(MAX_READ_EVENTS) : asked);
  const backwards = options.getReadDirection() === 1;
  const structured = !options.getUuidOption()?.hasString();
  try {
    if (options.hasStream()) {
      const stream = options.getStream()!;
      const name = m.streamName(stream.getStreamIdentifier());
      const from: ReadFrom = stream.hasStart()
        ? 'start'
        : stream.hasEnd()
          ? 'end'
          : BigInt(stream.getRevision());
      const records = log.readStream(name, from, backwards, count);
      if (!records) call.write(m.streamNotFound(name));
      for (const record of records ?? []) call.write(m.readResp(record, structured));
    } else if (options.hasAll()) {
      const all = options.getAll()!;
      const position = all.getPosition();
      const from: AllFrom = all.hasStart()
        ? 'start'
        : all.hasEnd() || !position
          ? 'end'
          : {
              commit: BigInt(position.getCommitPosition()),
              prepare: BigInt(position.getPreparePosition()),
            };
      for (const record of log.readAll(from, backwards, count))
        call.write(m.readResp(record, structured));
    } else {
      return void call.emit('error', invalid('a read names a stream or $all'));
    }
    call.end();
  } catch (error) {
    call.emit('error', failure(error));
  }
}

export function append(
  commit: Commit,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  done: grpc.sendUnaryData<AppendResp>,
): void {
  let target: { streamId: string; expected: StandInExpected } | undefined;
  const events: StandInProposed[] = [];
  let size = 0;
  let failed = false;
  const fail = (error: Partial<grpc.StatusObject>) => {
    if (!failed) done(error);
    failed = true;
  };
  call.on('data', (request: AppendReq) => {
    if (failed) return;
    try {
      if (request.hasOptions()) {
        const options = request.getOptions()!;
        target = {
          streamId: m.streamName(options.getStreamIdentifier()),
          expected: appendExpected(options),
        };
        return;
      }
      if (!target) throw new m.BadRequest('the options come first');
      const event = m.proposedEvent(request.getProposedMessage()!);
      size += event.data.length + event.metadata.length;
      if (size > MAX_APPEND_SIZE) return fail(tooLarge());
      events.push(event);
    } catch (error) {
      fail(failure(error));
    }
  });
  call.on('end', () => {
    if (failed) return;
    if (!target) return fail(invalid('options are required'));
    const outcome = commit(target.streamId, target.expected, events);
    done(
      null,
      outcome.kind === 'success'
        ? m.appendSuccess(outcome.revision, outcome.position)
        : m.appendConflict(target.expected, outcome.current),
    );
  });
}

interface PendingBatch {
  readonly streamId: string;
  readonly expected: StandInExpected;
  readonly deadlineMs: number | undefined;
  readonly events: StandInProposed[];
  size: number;
}

/** BatchAppend: one long call; each append is a correlation id, options first, ending with is_final. */
export function batch(
  commit: Commit,
  call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendRespType>,
): void {
  const pending = new Map<string, PendingBatch>();
  call.on('data', (request: BatchAppendReq) => {
    const correlation = request.getCorrelationId();
    const answer = (
      streamId: string,
      result: { success?: BatchAppendResp.Success; error?: ReturnType<typeof m.batchConflict> },
    ) => {
      const response = new BatchAppendResp()
        .setCorrelationId(correlation)
        .setStreamIdentifier(m.identifierOf(streamId));
      if (result.success) response.setSuccess(result.success);
      if (result.error) response.setError(result.error);
      call.write(response);
    };
    let key: string;
    try {
      key = m.uuidText(correlation);
      const options = request.getOptions();
      if (options && !pending.has(key)) {
        if (pending.size >= MAX_PENDING_BATCHES)
          throw new m.BadRequest('too many appends open on one call');
        const deadline = options.getDeadline();
        pending.set(key, {
          streamId: m.streamName(options.getStreamIdentifier()),
          expected: batchExpected(options),
          deadlineMs: deadline ? deadline.toDate().getTime() : undefined,
          events: [],
          size: 0,
        });
      }
      const open = pending.get(key);
      if (!open) return;
      for (const message of request.getProposedMessagesList()) {
        const event = m.proposedEvent(message);
        open.size += event.data.length + event.metadata.length;
        open.events.push(event);
      }
      if (open.size > MAX_APPEND_SIZE) {
        pending.delete(key);
        return answer(open.streamId, { error: m.batchTooLarge(MAX_APPEND_SIZE) });
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      if (open.deadlineMs !== undefined && open.deadlineMs <= Date.now()) {
        return answer(open.streamId, { error: m.batchTimeout() });
      }
      const outcome = commit(open.streamId, open.expected, open.events);
      answer(
        open.streamId,
        outcome.kind === 'success'
          ? { success: m.batchSuccess(outcome.revision, outcome.position) }
          : { error: m.batchConflict(open.expected, outcome.current) },
      );
    } catch (error) {
      call.emit('error', failure(error));
    }
  });
  call.on('end', () => call.end());
  // A client that goes away cancels the call; there is nothing to answer.
  call.on('error', () => undefined);
}

function appendExpected(options: AppendReq.Options): StandInExpected {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return -1n;
  if (options.hasAny()) return 'any';
  if (options.hasStreamExists()) return 'stream_exists';
  throw new m.BadRequest('an expected revision is required');
}

function batchExpected(options: BatchAppendReq.Options): StandInExpected {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return -1n;
  if (options.hasAny()) return 'any';
  if (options.hasStreamExists()) return 'stream_exists';
  throw new m.BadRequest('an expected revision is required');
}

function invalid(details: string): Partial<grpc.StatusObject> {
  return m.rpcError(grpc.status.INVALID_ARGUMENT, details);
}

function tooLarge(): Partial<grpc.StatusObject> {
  return m.rpcError(
    grpc.status.INVALID_ARGUMENT,
    'Maximum Append Size Exceeded',
    'maximum-append-size-exceeded',
    { 'maximum-append-size': String(MAX_APPEND_SIZE) },
  );
}

function failure(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof m.MissingMetadata) {
    return m.rpcError(
      grpc.status.INVALID_ARGUMENT,
      error.message,
      'missing-required-metadata-property',
      { 'required-metadata-properties': error.property },
    );
  }
  if (error instanceof m.BadRequest) return invalid(error.message);
  return m.rpcError(grpc.status.INTERNAL, 'the stand-in failed');
}
