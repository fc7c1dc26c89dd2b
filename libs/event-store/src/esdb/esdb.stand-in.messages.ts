import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  AllStreamPosition,
  Empty,
  MaximumAppendSizeExceeded,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { AppendResp, BatchAppendResp, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { StandInExpected, StandInProposed, StandInRecord } from './esdb.stand-in.log';

/**
 * Translation between the stand-in's log and the messages of EventStoreDB's
 * gRPC protocol, as generated from its .proto files and shipped with
 * @eventstore/db-client. Field by field it answers what the server answers.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A failure the server reports as a gRPC status, with the `exception` metadata the client maps to a typed error. */
export function rpcError(
  code: grpc.status,
  details: string,
  exception?: string,
  extra: Record<string, string> = {},
): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (exception) metadata.set('exception', exception);
  for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
  return { code, details, metadata };
}

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export function streamName(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw new BadRequest('stream_identifier is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function identifierOf(streamId: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(streamId, 'utf8'));
}

/** A UUID in either of the protocol's forms, as the lowercase text the server's Guid prints. */
export function uuidText(uuid: UUID | undefined): string {
  if (!uuid) throw new BadRequest('an id is required');
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const text = uuid.getString();
  if (!UUID_PATTERN.test(text)) throw new BadRequest(`${JSON.stringify(text)} is not a UUID`);
  return text.toLowerCase();
}

export function uuidOf(id: string, structured: boolean): UUID {
  if (!structured) return new UUID().setString(id);
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  return new UUID().setStructured(
    new UUID.Structured()
      .setMostSignificantBits(bytes.readBigInt64BE(0).toString())
      .setLeastSignificantBits(bytes.readBigInt64BE(8).toString()),
  );
}

interface Proposed {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** The server refuses a proposed event without `type` or `content-type` metadata. */
export function proposedEvent(message: Proposed): StandInProposed {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  for (const [key, value] of [
    ['type', type],
    ['content-type', contentType],
  ] as const) {
    if (value === undefined) throw new MissingMetadata(key);
  }
  return {
    id: uuidText(message.getId()),
    type: type!,
    contentType: contentType!,
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

export class MissingMetadata extends Error {
  override readonly name = 'MissingMetadata';
  constructor(readonly property: string) {
    super(`required metadata property ${property} is missing`);
  }
}

export function readResp(record: StandInRecord, structured: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidOf(record.id, structured))
    .setStreamIdentifier(identifierOf(record.streamId))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.logPosition.toString())
    .setPreparePosition(record.logPosition.toString())
    .setData(record.data)
    .setCustomMetadata(record.metadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.createdTicks.toString());
  const event = new ReadResp.ReadEvent()
    .setEvent(recorded)
    .setCommitPosition(record.logPosition.toString());
  return new ReadResp().setEvent(event);
}

export function streamNotFound(streamId: string): ReadResp {
  return new ReadResp().setStreamNotFound(
    new ReadResp.StreamNotFound().setStreamIdentifier(identifierOf(streamId)),
  );
}

export function appendSuccess(revision: bigint, position: bigint): AppendResp {
  const success = new AppendResp.Success();
  if (revision < 0n) success.setNoStream(new Empty());
  else success.setCurrentRevision(revision.toString());
  if (position < 0n) success.setNoPosition(new Empty());
  else
    success.setPosition(
      new AppendResp.Position()
        .setCommitPosition(position.toString())
        .setPreparePosition(position.toString()),
    );
  return new AppendResp().setSuccess(success);
}

/** The Append call's conflict: the current and the expected revision, in both generations of fields. */
export function appendConflict(expected: StandInExpected, current: bigint): AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  if (expected === 'any') wrong.setExpectedAny(new Empty()).setAny2060(new Empty());
  else if (expected === 'stream_exists')
    wrong.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
  else if (expected < 0n) wrong.setExpectedNoStream(new Empty());
  else wrong.setExpectedRevision(expected.toString()).setExpectedRevision2060(Number(expected));
  if (current < 0n) wrong.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  else wrong.setCurrentRevision(current.toString()).setCurrentRevision2060(Number(current));
  return new AppendResp().setWrongExpectedVersion(wrong);
}

export function batchSuccess(revision: bigint, position: bigint): BatchAppendResp.Success {
  const success = new BatchAppendResp.Success();
  if (revision < 0n) success.setNoStream(new ProtoEmpty());
  else success.setCurrentRevision(revision.toString());
  if (position < 0n) success.setNoPosition(new ProtoEmpty());
  else
    success.setPosition(
      new AllStreamPosition()
        .setCommitPosition(position.toString())
        .setPreparePosition(position.toString()),
    );
  return success;
}

/** BatchAppend reports a conflict as a google.rpc.Status whose details pack a WrongExpectedVersion. */
export function batchConflict(expected: StandInExpected, current: bigint): Status {
  const wrong = new WrongExpectedVersion();
  if (current < 0n) wrong.setCurrentNoStream(new ProtoEmpty());
  else wrong.setCurrentStreamRevision(current.toString());
  if (expected === 'any') wrong.setExpectedAny(new ProtoEmpty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new ProtoEmpty());
  else if (expected < 0n) wrong.setExpectedNoStream(new ProtoEmpty());
  else wrong.setExpectedStreamPosition(expected.toString());
  return status(
    Code.ALREADY_EXISTS,
    'WrongExpectedVersion',
    wrong.serializeBinary(),
    'event_store.client.WrongExpectedVersion',
  );
}

export function batchTimeout(): Status {
  return status(
    Code.DEADLINE_EXCEEDED,
    'Timeout',
    new Timeout().serializeBinary(),
    'event_store.client.Timeout',
  );
}

export function batchTooLarge(maxAppendSize: number): Status {
  return status(
    Code.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    new MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize).serializeBinary(),
    'event_store.client.MaximumAppendSizeExceeded',
  );
}

function status(code: Code, message: string, detail: Uint8Array, typeName: string): Status {
  const any = new Any();
  any.pack(detail, typeName);
  return new Status().setCode(code).setMessage(message).setDetails(any);
}
