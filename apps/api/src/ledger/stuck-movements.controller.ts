import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Roles } from '@ledger/identity';
import { MAX_PAGE_SIZE, type StuckMovement } from '@ledger/read-models';
import { StuckMovementsPageQuery } from '@ledger/read-models/nest';
import { CursorPageQueryDto } from '../http/cursor-page.dto';
import { RejectionException } from '../http/rejection';

/** A pending movement older than this is listed: a card top-up settles in seconds, a prompt in minutes. */
export const DEFAULT_STUCK_AFTER_MINUTES = 30;

class StuckMovementsFilterDto {
  @ApiPropertyOptional({
    description:
      'List pending movements requested at least this many minutes ago (parked ones always); 0 lists every pending one',
    minimum: 0,
    maximum: 43_200,
    default: DEFAULT_STUCK_AFTER_MINUTES,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(43_200)
  olderThanMinutes?: number;

  @ApiPropertyOptional({ description: 'Only sagas the driver could not advance (parked)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  parked?: boolean;
}

class StuckMovementsQueryDto extends CursorPageQueryDto(
  {
    cursor: { description: 'Opaque cursor from the previous page', maxLength: 1_000 },
    maxLimit: MAX_PAGE_SIZE,
  },
  StuckMovementsFilterDto,
) {}

class ParkedView {
  @ApiProperty({ example: 3 }) attempts!: number;
  @ApiProperty({ example: 'Error: connect ECONNREFUSED' }) lastError!: string;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt!: string;
}

class DeadlineView {
  @ApiProperty({ example: 'withdrawal.timeout' }) job!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
}

class StuckMovementView {
  @ApiProperty({ example: 'withdrawal-4b6c…' }) movementId!: string;
  @ApiProperty({ enum: ['transfer', 'top_up', 'withdrawal'] }) kind!: string;
  @ApiProperty({ example: 'payout_created', description: "The saga's phase (docs/sagas.md)" })
  phase!: string;
  @ApiProperty({ example: '2500' }) amountMinor!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ example: 5400, description: 'Seconds since it was requested' })
  pendingSeconds!: number;
  @ApiPropertyOptional({ type: ParkedView }) parked?: ParkedView;
  @ApiPropertyOptional({ type: DeadlineView, description: 'The soonest deadline it waits on' })
  nextDeadline?: DeadlineView;
}

class StuckMovementPageView {
  @ApiProperty({ type: [StuckMovementView] }) items!: StuckMovementView[];
  @ApiPropertyOptional() nextCursor?: string;
}

/**
 * The movements an operator should look at: parked sagas (the driver could
 * not advance them; it keeps retrying) and pending ones older than a bound
 * (waiting on a provider, a report or a deadline). Oldest first. Reading it
 * changes nothing; the runbook in docs/operations.md says what to do next.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@Roles('finance', 'auditor', 'admin')
@Controller('ledger/movements')
export class StuckMovementsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('stuck')
  @ApiOkResponse({ type: StuckMovementPageView })
  async stuck(@Query() query: StuckMovementsQueryDto): Promise<StuckMovementPageView> {
    const now = new Date();
    const minutes = query.olderThanMinutes ?? DEFAULT_STUCK_AFTER_MINUTES;
    const page = await this.queries.execute(
      new StuckMovementsPageQuery({
        requestedBefore: new Date(now.getTime() - minutes * 60_000),
        parkedOnly: query.parked,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    return {
      items: page.items.map((m) => view(m, now)),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    };
  }
}

function view(m: StuckMovement, now: Date): StuckMovementView {
  return {
    ...m,
    amountMinor: m.amountMinor.toString(),
    pendingSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(m.requestedAt)) / 1000)),
  };
}
