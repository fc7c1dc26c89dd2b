import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '@ledger/identity';
import {
  MAX_DEAD_LETTERS_PAGE,
  REASON_LENGTH,
  type DeadLetter,
  type DeadLetterSummary,
} from '@ledger/jobs';
import { DeadLetterQuery, DeadLettersPageQuery, RetryDeadLetterCommand } from '@ledger/jobs/nest';
import { CursorPageQueryDto, DEFAULT_PAGE_LIMIT } from '../http/cursor-page.dto';
import { RejectionException } from '../http/rejection';

class DeadLettersQueryDto extends CursorPageQueryDto({
  cursor: {
    description: 'The nextCursor of the previous page',
    pattern: /^[A-Za-z0-9_-]{1,40}$/,
    message: 'cursor must be a nextCursor returned by this endpoint',
  },
  maxLimit: MAX_DEAD_LETTERS_PAGE,
}) {}

class RetryDeadLetterDto {
  @ApiProperty({
    minLength: REASON_LENGTH.min,
    maxLength: REASON_LENGTH.max,
    description:
      'Why the job is retried; kept in the security audit trail forever, so no personal data',
  })
  @IsString()
  @Length(REASON_LENGTH.min, REASON_LENGTH.max)
  reason!: string;
}

class DeadLetterSummaryDto implements DeadLetterSummary {
  @ApiProperty({ description: 'The job id, e.g. topup-<id>:charge' }) id!: string;
  @ApiProperty({ example: 'sagas' }) queue!: string;
  @ApiProperty({ example: 'saga.step' }) name!: string;
  @ApiProperty({ description: 'Attempts used up before it failed for good' })
  attemptsMade!: number;
  @ApiProperty({ description: 'The last error, as the handler reported it' }) error!: string;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
}

class DeadLetterDto extends DeadLetterSummaryDto implements DeadLetter {
  @ApiProperty({
    description: 'The job payload (ids, never personal data)',
    type: 'object',
    additionalProperties: true,
  })
  payload!: DeadLetter['payload'];
}

class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Newest first, over every queue' })
  items!: DeadLetterSummaryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}

/**
 * Dead-letter jobs (failed for good) of every queue, for admins: list,
 * inspect, retry. Each retry is recorded in the security audit trail with
 * who and why (docs/operations.md).
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/jobs/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: DeadLetterPageDto })
  async list(@Query() query: DeadLettersQueryDto): Promise<DeadLetterPageDto> {
    const page = await this.queries.execute(
      new DeadLettersPageQuery(query.limit ?? DEFAULT_PAGE_LIMIT, query.cursor),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    return page;
  }

  @Get(':id')
  @Roles('admin')
  @ApiOkResponse({ type: DeadLetterDto })
  async show(@Param('id') id: string): Promise<DeadLetterDto> {
    const found = await this.queries.execute(new DeadLetterQuery(id));
    if (typeof found === 'string') throw new RejectionException(found);
    return found;
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({
    type: DeadLetterSummaryDto,
    description: 'Put back in its queue, attempts reset',
  })
  async retry(
    @CurrentPrincipal() caller: Principal,
    @Param('id') id: string,
    @Body() body: RetryDeadLetterDto,
    @Req() request: { id?: unknown },
  ): Promise<DeadLetterSummaryDto> {
    const retried = await this.commands.execute(
      new RetryDeadLetterCommand(id, {
        by: { userId: caller.userId },
        reason: body.reason,
        correlationId: typeof request.id === 'string' ? request.id : undefined,
      }),
    );
    if (typeof retried === 'string') throw new RejectionException(retried);
    return retried;
  }
}
