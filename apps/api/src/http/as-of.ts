import { Inject, Injectable } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import {
  comparePositions,
  EVENT_STORE,
  formatPosition,
  parsePosition,
  type EventStore,
  type Position,
} from '@ledger/event-store';
import {
  AS_OF_WAIT_MS,
  historyBounds,
  historyCovers,
  pointAt,
  pointAtDetail,
  READ_MODELS_PROJECTOR,
  waitForPosition,
} from '@ledger/read-models';
import { RejectionException } from './rejection';

// TypeScript accepts a class as a mixin base only with this exact constructor signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => object;

/**
 * Adds `asOf` and `asOfPosition` to a query DTO. `position` keeps its meaning
 * (wait until the read models reflect a write); these two choose the point
 * in the log that the answer is as of.
 */
export function WithAsOf<T extends Constructor>(Base: T) {
  class AsOfQuery extends Base {
    @ApiPropertyOptional({
      format: 'date-time',
      description:
        'Answer as of this time: after the last balance change recorded at or before it. Not in the future.',
    })
    @IsOptional()
    @IsISO8601({ strict: true })
    @Length(1, 40)
    asOf?: string;

    @ApiPropertyOptional({
      description:
        'Answer as of this log position ("commit.prepare"), at most the head of the log. Not with asOf.',
    })
    @IsOptional()
    @IsString()
    @Length(3, 45)
    asOfPosition?: string;
  }
  return AsOfQuery;
}

/** The point an as-of answer stands at: a log position, and the time it was asked for if any. */
export interface AsOfPoint {
  readonly position: Position;
  readonly at?: Date;
}

/** Positions are int8 in the read models (xid8 and bigserial in the log). */
const MAX_INT8 = 2n ** 63n - 1n;

/**
 * Turns `asOf` / `asOfPosition` into a position the balance history answers
 * for, refusing what cannot be answered with the parameter's name: a point
 * in the future or past the head of the log, both at once, or a point before
 * the history's floor. Waits (boundedly) until the read models cover it.
 */
@Injectable()
export class AsOfResolver {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async resolve(query: { asOf?: string; asOfPosition?: string }): Promise<AsOfPoint | undefined> {
    if (query.asOf !== undefined && query.asOfPosition !== undefined)
      throw new RejectionException('invalid_as_of', 'Give asOf or asOfPosition, not both');
    if (query.asOfPosition !== undefined) return this.atPosition(query.asOfPosition);
    if (query.asOf !== undefined) return this.atTime(query.asOf);
    return undefined;
  }

  private async atPosition(text: string): Promise<AsOfPoint> {
    const position = parsePosition(text);
    if (!position || position.commit > MAX_INT8 || position.prepare > MAX_INT8)
      throw new RejectionException(
        'invalid_as_of_position',
        'asOfPosition must be a position token as returned by a command, e.g. "812.4521"',
      );
    const head = await this.store.headPosition();
    if (comparePositions(position, head) > 0)
      throw new RejectionException(
        'invalid_as_of_position',
        `asOfPosition is past the head of the log (${formatPosition(head)})`,
      );
    await this.reach(position);
    await this.covered(position);
    return { position };
  }

  private async atTime(text: string): Promise<AsOfPoint> {
    const at = new Date(text);
    if (Number.isNaN(at.getTime()))
      throw new RejectionException('invalid_as_of', 'asOf must be an ISO 8601 date-time');
    if (at.getTime() > Date.now())
      throw new RejectionException('invalid_as_of', 'asOf must not be in the future');
    const point = await pointAt(this.db, this.store, at, AS_OF_WAIT_MS);
    if ('problem' in point) throw new RejectionException(point.problem, pointAtDetail(point));
    return { position: point, at };
  }

  private async reach(position: Position): Promise<void> {
    if (!(await waitForPosition(this.db, READ_MODELS_PROJECTOR, position, AS_OF_WAIT_MS)))
      throw new RejectionException('position_not_reached');
  }

  private async covered(position: Position): Promise<void> {
    const bounds = await historyBounds(this.db);
    if (!historyCovers(bounds, position))
      throw new RejectionException(
        'as_of_before_history',
        pointAtDetail({ problem: 'as_of_before_history', floor: bounds.floor }),
      );
  }
}

/** The fields every as-of answer carries. */
export function asOfFields(point: AsOfPoint): { asOfPosition: string; asOf?: string } {
  return {
    asOfPosition: formatPosition(point.position),
    ...(point.at && { asOf: point.at.toISOString() }),
  };
}
