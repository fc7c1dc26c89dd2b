import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { formatPosition, START } from '@ledger/event-store';
import { Roles } from '@ledger/identity';
import { toExportedEvent } from '@ledger/audit';
import { LogEventsPageQuery } from '@ledger/audit/nest';
import {
  AccountBalancesPageQuery,
  ProjectionsReportQuery,
  TrialBalanceQuery,
  VerifyLedgerQuery,
} from '@ledger/read-models/nest';
import { AsOfResolver, WithAsOf, asOfFields } from '../http/as-of';
import { positionParam } from '../http/query-values';
import { ReadYourWrites } from '../http/read-your-writes';
import { RejectionException } from '../http/rejection';
import { PageQueryDto, PositionQueryDto } from '../wallets/wallet-query.dto';

class TrialBalanceQueryDto extends WithAsOf(PositionQueryDto) {}

class AccountsQueryDto extends WithAsOf(PageQueryDto) {
  @ApiPropertyOptional({ enum: ['system', 'transit'] })
  @IsOptional()
  @IsIn(['system', 'transit'])
  kind?: 'system' | 'transit';
}

class EventsQueryDto {
  @ApiPropertyOptional({
    description: 'The nextCursor of the previous page: the last position seen, e.g. "812.4521"',
  })
  @IsOptional()
  @IsString()
  @Length(3, 45)
  cursor?: string;

  @ApiPropertyOptional({ deprecated: true, description: 'Deprecated: the same as cursor' })
  @IsOptional()
  @IsString()
  @Length(3, 45)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** Finance and audit: the books as a whole, the raw log, and the checks that tie them together. */
@ApiTags('ledger')
@ApiBearerAuth()
@Roles('finance', 'auditor', 'admin')
@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly queries: QueryBus,
    private readonly readYourWrites: ReadYourWrites,
    private readonly asOf: AsOfResolver,
  ) {}

  @Get('trial-balance')
  @ApiOkResponse({
    description:
      'Debits and credits per currency over every account; balanced when equal. As of a point: two index probes per currency',
  })
  async trialBalance(@Query() query: TrialBalanceQueryDto) {
    await this.readYourWrites.waitFor(query.position);
    const point = await this.asOf.resolve(query);
    if (!point) return stringify(await this.queries.execute(new TrialBalanceQuery()));
    return stringify({
      ...(await this.queries.execute(new TrialBalanceQuery(point.position))),
      ...asOfFields(point),
    });
  }

  @Get('accounts')
  @ApiOkResponse({
    description:
      'System and transit accounts; as of a point, a page may be short (accounts first used later are left out) while nextCursor says more follow',
  })
  async accounts(@Query() query: AccountsQueryDto) {
    await this.readYourWrites.waitFor(query.position);
    const point = await this.asOf.resolve(query);
    const options = { kind: query.kind, cursor: query.cursor, limit: query.limit };
    const page = await this.queries.execute(new AccountBalancesPageQuery(options, point?.position));
    if (typeof page === 'string') throw new RejectionException(page);
    return stringify({ ...page, ...(point && asOfFields(point)) });
  }

  @Get('projections')
  async projections() {
    return this.queries.execute(new ProjectionsReportQuery());
  }

  /**
   * The event log itself, in global order, for auditors replaying it. `after`
   * is the last position seen. With `Accept: application/x-ndjson`, one event
   * per line exactly as `ledger:export` writes them (with position and hash).
   */
  @Get('events')
  @ApiProduces('application/json', 'application/x-ndjson')
  async events(
    @Query() query: EventsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: { type(contentType: string): unknown },
  ) {
    const [name, given] =
      query.cursor !== undefined ? ['cursor', query.cursor] : ['after', query.after];
    const after = given === undefined ? START : positionParam(name, given);
    const limit = query.limit ?? 100;
    const events = await this.queries.execute(new LogEventsPageQuery(after, limit));
    if (accept?.includes('application/x-ndjson')) {
      res.type('application/x-ndjson');
      return events.map((e) => `${JSON.stringify(toExportedEvent(e))}\n`).join('');
    }
    const lastEvent = events.at(-1);
    const last = lastEvent ? formatPosition(lastEvent.position) : null;
    return {
      items: events.map((e) => ({
        ...e,
        revision: e.revision.toString(),
        position: formatPosition(e.position),
      })),
      // A short page is the end of the log for now; a reader tailing it
      // polls again from the last position it saw.
      nextCursor: events.length === limit ? last : null,
      // Deprecated for one release: the last position seen, even on a short page.
      last: last ?? given ?? null,
    };
  }

  @Get('verify')
  @ApiOkResponse({ description: 'Replays the log and compares every account with the read models' })
  async verify() {
    const report = await this.queries.execute(new VerifyLedgerQuery());
    if (report === 'verification_in_progress')
      throw new RejectionException(
        'verification_in_progress',
        'A verification is already running; retry when it ends',
      );
    return report;
  }
}

/** bigint → string everywhere in a response body. */
function stringify<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
