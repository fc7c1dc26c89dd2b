import type { SqlExecutor } from '@ledger/database';
import { formatPosition, type EventStore, type Position } from '@ledger/event-store';
import { waitForPosition } from '../progress';
import { READ_MODELS_PROJECTOR } from '../read-models.projector';
import { historyBounds, historyCovers, positionAt } from './as-of.query';

/** How long an as-of answer may wait for the read models to reach its point. */
export const AS_OF_WAIT_MS = 5_000;

/** Why the balance history cannot answer for a moment: not caught up in time, or before its floor. */
export type PointAtProblem =
  | { readonly problem: 'position_not_reached' }
  | { readonly problem: 'as_of_before_history'; readonly floor: Position };

/**
 * The log position the balance history answers for as of `at` (a moment not
 * in the future). When the history's clock has not passed `at`, later events
 * may still belong before it, so it first waits (at most `waitMs`) for the
 * read models to reach the head of the log.
 */
export async function pointAt(
  db: SqlExecutor,
  store: Pick<EventStore, 'headPosition'>,
  at: Date,
  waitMs: number,
): Promise<Position | PointAtProblem> {
  const { clock } = await historyBounds(db);
  if (
    (!clock || clock.getTime() <= at.getTime()) &&
    !(await waitForPosition(db, READ_MODELS_PROJECTOR, await store.headPosition(), waitMs))
  )
    return { problem: 'position_not_reached' };
  const position = await positionAt(db, at);
  const bounds = await historyBounds(db);
  return historyCovers(bounds, position)
    ? position
    : { problem: 'as_of_before_history', floor: bounds.floor };
}

/** What a refusal of `problem` says beyond its usual message, if anything. */
export function pointAtDetail(problem: PointAtProblem): string | undefined {
  return problem.problem === 'as_of_before_history'
    ? `The balance history starts at position ${formatPosition(problem.floor)}; an earlier point needs a rebuild of the read models`
    : undefined;
}
