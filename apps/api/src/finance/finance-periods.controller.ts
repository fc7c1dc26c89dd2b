import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { periodBounds } from '@ledger/finance';
import { ClosePeriodCommand, PeriodCloseQuery, PeriodClosesPageQuery } from '@ledger/finance/nest';
import { CurrentPrincipal, Roles, type Principal } from '@ledger/identity';
import { RejectionException } from '../http/rejection';
import { PeriodsQueryDto, ReasonDto } from './finance.dto';
import { PeriodSealPageView, PeriodSealView } from './finance.schemas';
import { orReject } from './finance.views';

/**
 * Month close: the closed months and their signed seals, and closing one.
 * Auditors and admins read them; only finance closes a month, recorded in the
 * security audit trail with who and why.
 */
@ApiTags('finance')
@ApiBearerAuth()
@Roles('finance', 'auditor', 'admin')
@Controller('finance')
export class FinancePeriodsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get('periods')
  @ApiOkResponse({
    type: PeriodSealPageView,
    description: 'Closed months and their signed seals, newest first',
  })
  async periods(@Query() query: PeriodsQueryDto) {
    if (query.cursor !== undefined && !periodBounds(query.cursor))
      throw new RejectionException('invalid_cursor');
    return this.queries.execute(new PeriodClosesPageQuery(query.cursor, query.limit ?? 50));
  }

  @Get('periods/:period')
  @ApiOkResponse({ type: PeriodSealView, description: "A closed month's seal" })
  async period(@Param('period') period: string) {
    if (!periodBounds(period)) throw new RejectionException('invalid_period');
    const seal = await this.queries.execute(new PeriodCloseQuery(period));
    if (!seal) throw new RejectionException('period_not_found');
    return seal;
  }

  /**
   * Closes a month: its trial balance as of the last event dated before the
   * month's end is sealed (hashed and signed with the checkpoint key) and
   * from then on nothing may be dated inside it.
   */
  @Post('periods/:period/close')
  @Roles('finance')
  @ApiCreatedResponse({ type: PeriodSealView, description: "The month's seal" })
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('period') period: string,
    @Body() body: ReasonDto,
  ) {
    return orReject(
      await this.commands.execute(new ClosePeriodCommand(principal.userId, period, body.reason)),
    );
  }
}
