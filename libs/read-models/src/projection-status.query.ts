import type { SqlExecutor } from '@ledger/database';
import {
  comparePositions,
  formatPosition,
  START,
  type EventStore,
  type Position,
} from '@ledger/event-store';
import { findCheckpoint } from '@ledger/event-store/sql';

/** How far a projector trails the log. */
export interface ProjectionStatus {
  readonly name: string;
  readonly checkpoint: Position;
  readonly head: Position;
  /** Events after the checkpoint, counted up to EVENTS_BEHIND_LIMIT. */
  readonly eventsBehind: number;
  /** True when there are more than `eventsBehind` events still to apply. */
  readonly eventsBehindIsLowerBound: boolean;
  /** How long the oldest unapplied event has waited; 0 when caught up. */
  readonly lagSeconds: number;
  /** created_at of the last applied event. */
  readonly lastEventAt?: Date;
  /** When the checkpoint last moved. */
  readonly updatedAt?: Date;
  readonly caughtUp: boolean;
}

/** Counting reads the events after the checkpoint; a bound keeps a status call cheap when far behind. */
export const EVENTS_BEHIND_LIMIT = 1_000;

export async function projectionStatus(
  db: SqlExecutor,
  store: EventStore,
  name: string,
  now: Date = new Date(),
): Promise<ProjectionStatus> {
  const checkpoint = await findCheckpoint(db, name);
  const position = checkpoint?.position ?? START;
  const head = await store.headPosition();
  const caughtUp = comparePositions(position, head) >= 0;
  const behind = caughtUp
    ? []
    : await store.readAll({ after: position, maxCount: EVENTS_BEHIND_LIMIT });
  const oldest = behind[0]?.createdAt;
  return {
    name,
    checkpoint: position,
    head,
    eventsBehind: behind.length,
    eventsBehindIsLowerBound: behind.length === EVENTS_BEHIND_LIMIT,
    lagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
    ...(checkpoint?.lastEventAt && { lastEventAt: checkpoint.lastEventAt }),
    ...(checkpoint && { updatedAt: checkpoint.updatedAt }),
    caughtUp,
  };
}

/** Positions as strings, for JSON (HTTP and the CLI). */
export function describeStatus(status: ProjectionStatus): Record<string, unknown> {
  return {
    ...status,
    checkpoint: formatPosition(status.checkpoint),
    head: formatPosition(status.head),
  };
}
