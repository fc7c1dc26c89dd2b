import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { StandInLog, type StandInProposed } from './esdb.stand-in.log';
import { append, batch, read, type Commit } from './esdb.stand-in.streams';

/**
 * A local stand-in for a single EventStoreDB node, speaking the server's gRPC
 * Streams protocol for what the adapter uses: Append, BatchAppend and Read of
 * a stream or `$all`, plus the Server Features call the client makes on
 * connect. It keeps its log in memory. What it proves and what it cannot is in
 * docs/adr/0001-event-store-port.md.
 */
export interface EsdbStandInOptions {
  /**
   * Advertise Server Features with BatchAppend, as servers from 21.10 do, so
   * that the client appends through BatchAppend. Off, the stand-in is an older
   * server without the Server Features service and the client uses Append.
   */
  readonly batchAppend?: boolean;
  /** Event ids remembered for `any`/`stream_exists` retries (the server's recent-commit cache). */
  readonly idempotencyWindow?: number;
  /**
   * Link events (`$>`) written to `$ce-<category>` after every append to a
   * ledger stream, as the server's system projections do when they run: the
   * global log then interleaves the ledger's events with the server's own.
   */
  readonly linksPerAppend?: number;
}

const SERVER_VERSION = '23.10.0';
/** The most `$statsCollected` events one writeStatsEvents call writes. */
const MAX_STATS_EVENTS = 10_000;
const STREAMS_SERVICE = 'event_store.client.streams.streams';

export class EsdbStandIn {
  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    readonly log: StandInLog,
  ) {}

  /** Starts on 127.0.0.1 on a free port, without TLS. */
  static async start(options: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
    const log = new StandInLog(options.idempotencyWindow);
    seedSystemEvents(log);
    const commit = committer(log, options.linksPerAppend ?? 0);
    const server = new grpc.Server();
    const batchAppend = options.batchAppend ?? true;
    server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => read(log, call),
      append: (
        call: grpc.ServerReadableStream<AppendReq, AppendResp>,
        done: grpc.sendUnaryData<AppendResp>,
      ) => append(commit, call, done),
      ...(batchAppend
        ? {
            batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) =>
              batch(commit, call),
          }
        : {}),
    });
    if (batchAppend) {
      server.addService(ServerFeaturesService, {
        getSupportedMethods: (_: unknown, done: grpc.sendUnaryData<SupportedMethods>) =>
          done(null, supportedMethods()),
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    return new EsdbStandIn(server, port, log);
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /**
   * Writes `count` `$statsCollected` events, as a server that keeps its
   * statistics in the database does every 30 s, whether or not clients write.
   */
  writeStatsEvents(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > MAX_STATS_EVENTS) {
      throw new RangeError(`count must be a whole number from 0 to ${MAX_STATS_EVENTS}`);
    }
    for (let i = 0; i < count; i++) {
      this.log.append('$stats-127.0.0.1:2113', 'any', [systemEvent('$statsCollected')]);
    }
  }

  async stop(): Promise<void> {
    // Clients keep BatchAppend and reads open; nothing of the stand-in needs a graceful drain.
    this.server.forceShutdown();
  }
}

/** Appends to the log, then writes what the server's projections would write about it. */
function committer(log: StandInLog, linksPerAppend: number): Commit {
  return (streamId, expected, events) => {
    const outcome = log.append(streamId, expected, events);
    if (outcome.kind === 'success' && !streamId.startsWith('$') && events.length > 0) {
      const category = `$ce-${streamId.split('-')[0]}`;
      const links = Array.from({ length: linksPerAppend }, () => systemEvent('$>'));
      if (links.length > 0) log.append(category, 'any', links);
    }
    return outcome;
  };
}

function supportedMethods(): SupportedMethods {
  const method = (service: string, name: string, features: string[] = []) =>
    new SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(features);
  return new SupportedMethods().setEventStoreServerVersion(SERVER_VERSION).setMethodsList([
    method(STREAMS_SERVICE, 'read', ['position', 'events']),
    method(STREAMS_SERVICE, 'append'),
    // Without `deadline_duration`: the stand-in reads a BatchAppend deadline as the timestamp this client sends.
    method(STREAMS_SERVICE, 'batchappend'),
    method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
  ]);
}

/** What a fresh node has written before any client: default settings and the default users. */
function seedSystemEvents(log: StandInLog): void {
  log.append('$settings', -1n, [systemEvent('$settings')]);
  for (const user of ['admin', 'ops']) {
    log.append(`$user-${user}`, -1n, [systemEvent('$user')]);
    log.append('$users', 'any', [systemEvent('$UserCreated')]);
  }
}

function systemEvent(type: string): StandInProposed {
  return {
    id: randomUUID(),
    type,
    contentType: 'application/json',
    data: Buffer.from('{}'),
    metadata: new Uint8Array(),
  };
}
