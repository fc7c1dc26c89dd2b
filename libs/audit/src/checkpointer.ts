import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDatabase } from '@ledger/database';
import {
  formatPosition,
  GENESIS_HASH,
  MAX_READ_COUNT,
  parsePosition,
  START,
  type EventStore,
  type Position,
  type StreamHead,
} from '@ledger/event-store';
import { signCheckpoint, type Checkpoint, type SigningKey } from './checkpoint';
import {
  checkpointsAfter,
  insertCheckpoint,
  latestCheckpoint,
  loadHeads,
  saveHeads,
} from './checkpoint.repository';
import { headsRoot } from './merkle';

/** Events one checkpoint takes in; a log further behind is caught up over several. */
export const MAX_EVENTS_PER_CHECKPOINT = 200_000;

/**
 * Takes the next checkpoint: reads the log after the last one, records the
 * new stream heads, and signs the Merkle root of all heads at the last event
 * read. Nothing new since the last checkpoint: no checkpoint. Returns the new
 * checkpoint, or undefined. One checkpointer at a time (a session lock); the
 * sequence's primary key refuses a second one regardless.
 */
export async function writeCheckpoint(
  db: SqlDatabase,
  store: EventStore,
  key: SigningKey,
  now: () => Date = () => new Date(),
): Promise<Checkpoint | undefined> {
  const lock = await db.tryLock('ledger-checkpointer');
  if (!lock) return undefined;
  try {
    const last = await latestCheckpoint(db);
    const from = last ? (parsePosition(last.position) ?? START) : START;
    const read = await readHeadsAfter(store, from);
    if (last && read.events === 0) return undefined;
    return await db.transaction(async (tx) => {
      await saveHeads(tx, read.heads);
      const heads = await loadHeads(tx);
      const checkpoint = signCheckpoint(
        {
          version: 'ledger-checkpoint-v1',
          sequence: (last?.sequence ?? 0) + 1,
          position: formatPosition(read.position),
          streams: heads.size,
          events: (last?.events ?? 0) + read.events,
          root: headsRoot(heads),
          previousSignature: last?.signature ?? null,
          createdAt: now().toISOString(),
          keyId: key.keyId,
        },
        key,
      );
      await insertCheckpoint(tx, checkpoint);
      return checkpoint;
    });
  } finally {
    await lock.release();
  }
}

async function readHeadsAfter(
  store: EventStore,
  from: Position,
): Promise<{ heads: Map<string, StreamHead>; events: number; position: Position }> {
  const heads = new Map<string, StreamHead>();
  let position = from;
  let events = 0;
  while (events < MAX_EVENTS_PER_CHECKPOINT) {
    const page = await store.readAll({ after: position, maxCount: MAX_READ_COUNT });
    for (const event of page) {
      // Unhashed events (written before the chain) leave the genesis hash, as verify counts them.
      heads.set(event.streamId, { revision: event.revision, hash: event.hash ?? GENESIS_HASH });
    }
    events += page.length;
    const last = page.at(-1);
    if (!last) break;
    position = last.position;
    if (page.length < MAX_READ_COUNT) break;
  }
  return { heads, events, position };
}

/**
 * The append-only file of checkpoints, one JSON object per line, in
 * sequence order. Every worker keeps its own copy complete: each round
 * appends whatever the table has beyond the file's last line, so a crash
 * between commit and write, or another worker's checkpoint, is filled in.
 */
export class CheckpointFile {
  readonly path: string;
  private lastSequence?: number;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'checkpoints.ndjson');
  }

  async publish(db: SqlDatabase): Promise<number> {
    let written = 0;
    for (;;) {
      const after = this.lastSequence ?? this.readLastSequence();
      const page = await checkpointsAfter(db, after);
      const last = page.at(-1);
      if (!last) return written;
      mkdirSync(join(this.path, '..'), { recursive: true });
      appendFileSync(this.path, page.map((c) => `${JSON.stringify(c)}\n`).join(''));
      this.lastSequence = last.sequence;
      written += page.length;
    }
  }

  private readLastSequence(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const lines = text.trimEnd().split('\n').filter(Boolean);
    const last = lines.at(-1);
    return last === undefined ? 0 : (JSON.parse(last) as Checkpoint).sequence;
  }
}
