import type { SqlDatabase } from '@ledger/database';
import {
  comparePositions,
  formatPosition,
  MAX_READ_COUNT,
  parsePosition,
  START,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@ledger/event-store';
import { READ_MODELS_PROJECTOR, trialBalanceAsOf, waitForPosition } from '@ledger/read-models';
import { allCheckpoints } from '../audit.verifier';
import type { SigningKey } from '../checkpoint';

export const EXPORT_FORMAT = 'ledger-export-v1';

/**
 * One line of an export (docs/audit.md, "The export"). In order: the header,
 * every checkpoint up to the head, the events after `from` up to the head in
 * log order, and the end line with the head and, when the read models have
 * reached it, their trial balance there for the verifier to compare with.
 */
export type ExportLine =
  | {
      kind: 'header';
      format: typeof EXPORT_FORMAT;
      from: string;
      head: string;
      publicKey: string;
      keyId: string;
      exportedAt: string;
    }
  | ({ kind: 'checkpoint' } & Record<string, unknown>)
  | ExportedEvent
  | {
      kind: 'end';
      head: string;
      events: number;
      trialBalance?: Array<{ currency: string; debitsMinor: string; creditsMinor: string }>;
    };

export interface ExportedEvent {
  kind: 'event';
  position: string;
  streamId: string;
  revision: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: string;
  hash: string | null;
}

export function toExportedEvent(event: RecordedEvent): ExportedEvent {
  return {
    kind: 'event',
    position: formatPosition(event.position),
    streamId: event.streamId,
    revision: event.revision.toString(),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    createdAt: event.createdAt.toISOString(),
    hash: event.hash ?? null,
  };
}

export function fromExportedEvent(line: ExportedEvent): RecordedEvent {
  const position = parsePosition(line.position);
  if (!position) throw new TypeError(`event ${line.id}: position ${line.position} is malformed`);
  return {
    id: line.id,
    streamId: line.streamId,
    type: line.type,
    revision: BigInt(line.revision),
    position,
    data: line.data,
    metadata: line.metadata,
    createdAt: new Date(line.createdAt),
    ...(line.hash ? { hash: line.hash } : {}),
  };
}

/**
 * The export as NDJSON lines, produced page by page: memory holds one page of
 * events (MAX_READ_COUNT) and the checkpoint series, whatever the log's size.
 * The caller writes each line before asking for the next (backpressure).
 */
export async function* exportLines(
  db: SqlDatabase,
  store: EventStore,
  key: SigningKey,
  from: Position = START,
): AsyncGenerator<string> {
  const head = await store.headPosition();
  const line = (value: ExportLine) => `${JSON.stringify(value)}\n`;
  yield line({
    kind: 'header',
    format: EXPORT_FORMAT,
    from: formatPosition(from),
    head: formatPosition(head),
    publicKey: key.publicKeyBase64,
    keyId: key.keyId,
    exportedAt: new Date().toISOString(),
  });
  for (const checkpoint of await allCheckpoints(db)) {
    const at = parsePosition(checkpoint.position) ?? START;
    if (comparePositions(at, head) <= 0) yield line({ kind: 'checkpoint', ...checkpoint });
  }
  let events = 0;
  for (let after = from; comparePositions(after, head) < 0;) {
    const page = await store.readAll({ after, maxCount: MAX_READ_COUNT });
    const last = page.at(-1);
    if (!last) break;
    let text = '';
    for (const event of page) {
      if (comparePositions(event.position, head) > 0) break;
      text += line(toExportedEvent(event));
      events++;
    }
    yield text;
    after = last.position;
  }
  yield line({ kind: 'end', head: formatPosition(head), events, ...(await balancesAt(db, head)) });
}

async function balancesAt(db: SqlDatabase, head: Position) {
  if (!(await waitForPosition(db, READ_MODELS_PROJECTOR, head, 10_000))) return {};
  const { lines } = await trialBalanceAsOf(db, head);
  return {
    trialBalance: lines.map((l) => ({
      currency: l.currency,
      debitsMinor: l.debitsMinor.toString(),
      creditsMinor: l.creditsMinor.toString(),
    })),
  };
}
